"""Exporters, one module per trainer format, behind one entry point: export_dataset(items, fmt, options)."""

from __future__ import annotations

from loraprep.model.lazy_names import importer

# name -> the module it comes from, imported on first use: the CLI reads the format names (registry) for its
# help at every start, and the pipeline behind them cost each command about 35 ms of imports
_FROM = {"ExportItem": "base", "ExportOptions": "base", "Exporter": "base", "Group": "base", "Placed": "base",
         "export_dataset": "pipeline", "FORMATS": "registry", "format_names": "registry", "get_exporter": "registry",
         "ExportReport": "report", "read_report": "report"}

__all__ = [
    "ExportItem", "ExportOptions", "ExportReport", "Exporter", "FORMATS", "Group", "Placed", "export_dataset",
    "format_names", "get_exporter", "read_report",
]

__getattr__ = importer(__name__, _FROM)
