"""Exporters, one module per trainer format, behind one entry point: export_dataset(items, fmt, options)."""

from __future__ import annotations

import importlib

# name -> the module it comes from, imported on first use: the CLI reads the format names (registry) for its
# help at every start, and the pipeline behind them cost each command about 35 ms of imports
_FROM = {"ExportItem": "base", "ExportOptions": "base", "Exporter": "base", "Group": "base", "Placed": "base",
         "export_dataset": "pipeline", "FORMATS": "registry", "format_names": "registry", "get_exporter": "registry",
         "ExportReport": "report", "read_report": "report"}

__all__ = [
    "ExportItem", "ExportOptions", "ExportReport", "Exporter", "FORMATS", "Group", "Placed", "export_dataset",
    "format_names", "get_exporter", "read_report",
]


def __getattr__(name: str):
    if name not in _FROM:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{_FROM[name]}"), name)
    globals()[name] = value
    return value
