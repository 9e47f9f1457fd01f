"""The library facade: the CLI and the web editor call only these functions."""

from __future__ import annotations

from loraprep.ops import dedup as dedup_ops
from loraprep.ops.classify import classify
from loraprep.ops.dedup import dedup
from loraprep.ops.detect import detect
from loraprep.ops.init import init
from loraprep.ops.scan import scan
from loraprep.ops.status import status
from loraprep.ops.tag import tag
from loraprep.store.db import state_dir_at  # keep a dataset's state elsewhere (--state-dir)
from loraprep.model.printable import printable  # how names are shown to a person: the CLI prints through it

__all__ = ["classify", "dedup", "dedup_ops", "detect", "init", "printable", "scan", "state_dir_at", "status", "tag"]
