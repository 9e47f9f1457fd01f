"""Batch edit operations for the CLI and the web: the engine's EditOp and its kinds (engine/edits.py plans them)."""

from __future__ import annotations

from loraprep.engine.edits import FILE_KINDS, TAG_KINDS, EditOp

__all__ = ["FILE_KINDS", "TAG_KINDS", "EditOp"]
