"""A detector's files through the one model layer (registry name, hub repo/subfolder or local folder)."""

from __future__ import annotations

from pathlib import Path

from loraprep.errors import ModelError
from loraprep.inference import files as model_files
from loraprep.inference import registry
from loraprep.inference.files import ModelFiles

MODEL_FILE = "model.onnx"
DETECTOR = model_files.Family("detector", (MODEL_FILE,), "YOLO detector", "loraprep detect DATASET --model")
WHATS = tuple(registry.DETECTOR_DEFAULTS)


def default_model(what: str) -> str:
    """The registry's detector for one thing to find (person, halfbody, head, face)."""
    if what not in registry.DETECTOR_DEFAULTS:
        raise ModelError(f"unknown detection target {what!r}", f"use one of: {', '.join(WHATS)}")
    return registry.DETECTOR_DEFAULTS[what]


def resolve(spec: str, revision: str | None = None, cache_dir: str | Path | None = None) -> ModelFiles:
    return model_files.resolve(spec, DETECTOR, revision, cache_dir)


def card(key_or_name: str) -> dict:
    """The model card's numbers (what, score, iou) of a registry detector, by name or stored key; {} if unknown."""
    info = registry.lookup(key_or_name.split("@", 1)[0], DETECTOR.name)
    return dict(info.card) if info is not None else {}
