"""The library facade: the CLI and the web editor call only these functions."""

from __future__ import annotations

from loraprep.ops.init import init
from loraprep.ops.scan import scan
from loraprep.ops.status import status

__all__ = ["init", "scan", "status"]
