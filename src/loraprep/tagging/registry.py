"""Known WD tagger models by short name: Hugging Face repo, default revision and recommended thresholds."""

from __future__ import annotations

from dataclasses import dataclass

from loraprep.model.thresholds import CHARACTER, GENERAL


@dataclass(frozen=True)
class ModelInfo:
    """One published SmilingWolf WD tagger."""

    name: str
    repo_id: str
    revision: str = "main"
    general: float = GENERAL
    character: float = CHARACTER


def _v2(arch: str) -> ModelInfo:
    return ModelInfo(f"wd-{arch}-v2", f"SmilingWolf/wd-v1-4-{arch}-tagger-v2", general=GENERAL, character=CHARACTER)


# v3 general thresholds are the published P=R points from each model card.
MODELS: dict[str, ModelInfo] = {m.name: m for m in (
    _v2("vit"),
    _v2("convnext"),
    _v2("convnextv2"),
    _v2("swinv2"),
    _v2("moat"),
    ModelInfo("wd-vit-v3", "SmilingWolf/wd-vit-tagger-v3", general=0.2614, character=CHARACTER),
    ModelInfo("wd-convnext-v3", "SmilingWolf/wd-convnext-tagger-v3", general=0.2682, character=CHARACTER),
    ModelInfo("wd-swinv2-v3", "SmilingWolf/wd-swinv2-tagger-v3", general=0.2653, character=CHARACTER),
    ModelInfo("wd-vit-large-v3", "SmilingWolf/wd-vit-large-tagger-v3", general=0.2606, character=CHARACTER),
    ModelInfo("wd-eva02-large-v3", "SmilingWolf/wd-eva02-large-tagger-v3", general=0.5296, character=CHARACTER),
)}

DEFAULT_MODEL = "wd-swinv2-v3"

# Long names users paste from the hub pages resolve to the same entry.
_ALIASES = {m.repo_id.split("/", 1)[1].lower(): m.name for m in MODELS.values()}


def lookup(name: str) -> ModelInfo | None:
    """The registry entry for a short name, a repo name or a full repo id (case-insensitive); None if unknown."""
    key = name.strip().lower()
    for info in MODELS.values():
        if key in (info.name, info.repo_id.lower()):
            return info
    alias = _ALIASES.get(key)
    return MODELS[alias] if alias else None


def card_thresholds(model: str | None) -> tuple[float, float] | None:
    """The model card's (general, character) thresholds of a stored model key (``name@revision``), if known."""
    info = lookup(model.split("@", 1)[0]) if model else None
    return (info.general, info.character) if info is not None else None


def describe() -> list[dict]:
    """The registry as plain rows, for `--help` texts and `--json` listings."""
    return [{"name": m.name, "repo": m.repo_id, "revision": m.revision, "general": m.general,
             "character": m.character, "default": m.name == DEFAULT_MODEL} for m in MODELS.values()]
