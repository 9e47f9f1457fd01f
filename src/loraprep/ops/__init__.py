"""The library facade: the CLI and the web editor call only these functions."""

from __future__ import annotations

from loraprep.ops import dedup as dedup_ops
from loraprep.ops.dedup import dedup
from loraprep.ops.detect import detect
from loraprep.ops.init import init
from loraprep.ops.scan import scan
from loraprep.ops.status import status
from loraprep.ops.tag import tag
from loraprep.model.printable import printable  # how names are shown to a person: the CLI prints through it

__all__ = ["dedup", "dedup_ops", "detect", "init", "printable", "scan", "status", "tag"]
