"""Exporters, one module per trainer format, behind one entry point: export_dataset(items, fmt, options)."""

from __future__ import annotations

from loraprep.export.base import ExportItem, ExportOptions, Exporter, Group, Placed
from loraprep.export.pipeline import export_dataset
from loraprep.export.registry import FORMATS, format_names, get_exporter
from loraprep.export.report import ExportReport, read_report

__all__ = [
    "ExportItem", "ExportOptions", "ExportReport", "Exporter", "FORMATS", "Group", "Placed", "export_dataset",
    "format_names", "get_exporter", "read_report",
]
