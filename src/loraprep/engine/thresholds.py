"""The thresholds the engine applies: the recipe's for the model in use, then the ones asked for in this session."""

from __future__ import annotations

from dataclasses import replace

from loraprep.model.thresholds import Thresholds, thresholds_for


def recipe_thresholds(recipe, model: str | None, changes: dict) -> Thresholds:
    """The recipe's thresholds for ``model`` (model/thresholds.py decides), then ``changes``."""
    from loraprep.tagging.registry import card_thresholds

    t = recipe.tagger
    found = thresholds_for(t.general, t.character, mcut=t.mcut, include_rating=t.include_rating,
                           card=card_thresholds(model), model=model and model.split("@")[0])
    return with_changes(found, changes)


def with_changes(thresholds: Thresholds, changes: dict) -> Thresholds:
    sources = ("asked now" if "general" in changes else thresholds.sources[0],
               "asked now" if "character" in changes else thresholds.sources[1])
    return replace(thresholds, **changes, sources=sources)
