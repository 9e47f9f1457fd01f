"""The export formats there are, for the CLI's help and the editor's menu: the export registry, read through ops."""

from __future__ import annotations

from loraprep.export.registry import format_names

__all__ = ["format_names"]
