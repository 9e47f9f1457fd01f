"""The WD taggers of the one model registry: short names, the default, and their model cards' thresholds."""

from __future__ import annotations

from loraprep.inference import registry
from loraprep.inference.registry import ModelInfo

FAMILY = "tagger"
MODELS: dict[str, ModelInfo] = registry.models(FAMILY)
DEFAULT_MODEL = registry.DEFAULTS[FAMILY]


def lookup(name: str) -> ModelInfo | None:
    """The registry entry for a short name, a repo name or a full repo id (case-insensitive); None if unknown."""
    return registry.lookup(name, FAMILY)


def card_thresholds(model: str | None) -> tuple[float, float] | None:
    """The model card's (general, character) thresholds of a stored model key (``name@revision``), if known."""
    info = lookup(model.split("@", 1)[0]) if model else None
    return (info.general, info.character) if info is not None else None


def describe() -> list[dict]:
    """The registry as plain rows, for `--help` texts and `--json` listings."""
    return [{"name": m.name, "repo": m.repo_id, "revision": m.revision, "general": m.general,
             "character": m.character, "default": m.name == DEFAULT_MODEL} for m in MODELS.values()]
