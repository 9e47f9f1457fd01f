"""The registry of export formats: name -> exporter, imported lazily so `import loraprep` stays light."""

from __future__ import annotations

import importlib

from loraprep.errors import ExportError

# format name -> (module, class); the CLI's --format choices come from here.
FORMATS: dict[str, tuple[str, str]] = {
    "kohya": ("loraprep.export.kohya", "KohyaExporter"),
    "kohya-finetune": ("loraprep.export.kohya_finetune", "KohyaFinetuneExporter"),
    "hf": ("loraprep.export.hf", "HfExporter"),
    "onetrainer": ("loraprep.export.onetrainer", "OneTrainerExporter"),
    "ai-toolkit": ("loraprep.export.ai_toolkit", "AiToolkitExporter"),
    "simpletuner": ("loraprep.export.simpletuner", "SimpleTunerExporter"),
    "parquet": ("loraprep.export.parquet", "ParquetFormat"),  # metadata only: ops/export.py streams it
}


def format_names() -> list[str]:
    return list(FORMATS)


def get_exporter(name: str):
    """The exporter for ``name`` (case-insensitive, '_' accepted for '-'); ExportError for an unknown one."""
    key = name.strip().lower().replace("_", "-")
    if key not in FORMATS:
        raise ExportError(f"unknown export format {name!r}", hint=f"choose one of: {', '.join(FORMATS)}")
    module, cls = FORMATS[key]
    return getattr(importlib.import_module(module), cls)()
