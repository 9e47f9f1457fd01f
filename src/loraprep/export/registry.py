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
}
# Formats of captions and metadata only, no image placed: streamed by ops/export_rows.py, not export_dataset.
METADATA_FORMATS = ("parquet",)


def format_names() -> list[str]:
    return [*FORMATS, *METADATA_FORMATS]


def _key(name: str) -> str:
    return name.strip().lower().replace("_", "-")


def is_metadata_only(name: str) -> bool:
    """A format that writes captions and metadata only (parquet): images stay where they are."""
    return _key(name) in METADATA_FORMATS


def get_exporter(name: str):
    """The exporter for ``name`` (case-insensitive, '_' accepted for '-'); ExportError for an unknown one."""
    key = _key(name)
    if key in METADATA_FORMATS:
        raise ExportError(f"{name!r} holds captions and metadata only, no images to place",
                          hint="write it with `loraprep export DATASET OUT --format parquet` (ops.export)")
    if key not in FORMATS:
        raise ExportError(f"unknown export format {name!r}", hint=f"choose one of: {', '.join(format_names())}")
    module, cls = FORMATS[key]
    return getattr(importlib.import_module(module), cls)()
