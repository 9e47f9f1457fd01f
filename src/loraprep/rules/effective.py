"""Effective tags before rules: tagger scores past the thresholds, imported captions, then the journal's word."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Mapping, Sequence

from loraprep.model.tags import Tag


@dataclass(frozen=True)
class Thresholds:
    """Which stored tagger scores count as tags; changing these is a query, never a re-run."""

    general: float = 0.35
    character: float = 0.85
    mcut: bool = False
    include_rating: bool = False


def tagger_tags(scores: Sequence[tuple[str, str, float]], thresholds: Thresholds) -> list[tuple[str, str, float]]:
    """The stored scores that pass the thresholds in force, highest first."""
    from loraprep.tagging.postprocess import select_tags

    return select_tags(scores, general=thresholds.general, character=thresholds.character, mcut=thresholds.mcut,
                       include_rating=thresholds.include_rating)


def base_tags(scores: Sequence[tuple[str, str, float]], thresholds: Thresholds, states: Mapping,
              categories: Mapping[str, str] | None = None) -> tuple[list[Tag], frozenset[str]]:
    """Merge tagger, imported and journal tags into one ordered list, and the set the user removed.

    Order: imported caption tags in file order, then tagger tags by score, then tags the user or a written
    curate batch added. A user remove hides a tag from every source; a user add or pin always shows it.
    """
    score_of = {t: (c, s) for t, c, s in scores}
    passing = tagger_tags(scores, thresholds)
    categories = categories or {}
    result: dict[str, Tag] = {}
    removed: set[str] = set()

    def category(name: str) -> str:
        return score_of.get(name, (categories.get(name, "general"), None))[0]

    def put(name: str, source: str, origin: str) -> None:
        state = states.get(name)
        user = state.user if state else None
        if user == "remove" or (user is None and state is not None and state.rule == "remove"):
            return
        if name in result:
            return
        if user in ("add", "pin"):
            source, origin = "user", "user"
        result[name] = Tag(name=name, category=category(name), score=score_of.get(name, (None, None))[1],
                           source=source, origin=origin, pinned=user == "pin")

    for name, state in states.items():
        if state.imported:
            put(name, "import", state.import_origin)
    for name, _category, _score in passing:
        put(name, "tagger", "tagger")
    for name, state in states.items():
        if state.user in ("add", "pin"):
            put(name, "user", "user")
        elif state.rule == "add" and state.user != "remove":
            put(name, "rule", "rule:curate")
    for name, state in states.items():
        if state.user == "remove":
            removed.add(name)
    return list(result.values()), frozenset(removed)
