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


def tagger_tag_objects(scores: Sequence[tuple[str, str, float]], thresholds: Thresholds) -> tuple[Tag, ...]:
    """The passing tagger scores as Tags; built once per image and threshold setting, then reused."""
    fast = Tag.fast
    return tuple(fast(name, category, score, "tagger", "tagger") for name, category, score in
                 tagger_tags(scores, thresholds))


def base_tags(scores: Sequence[tuple[str, str, float]], thresholds: Thresholds, states: Mapping,
              categories: Mapping[str, str] | None = None,
              tagger: Sequence[Tag] | None = None) -> tuple[list[Tag], frozenset[str]]:
    """Merge tagger, imported and journal tags into one ordered list, and the set the user removed.

    Order: imported caption tags in file order, then tagger tags by score, then tags the user or a written
    curate batch added. A user remove hides a tag from every source; a user add or pin always shows it.
    ``tagger`` may pass the already-built tagger Tags (``tagger_tag_objects``) to skip the threshold step.
    """
    if tagger is None:
        tagger = tagger_tag_objects(scores, thresholds)
    if not states:
        return list(tagger), frozenset()
    categories = categories or {}
    result: dict[str, Tag] = {}
    score_of: dict[str, tuple[str, float]] | None = None

    def put(name: str, source: str, origin: str, ready: Tag | None = None) -> None:
        nonlocal score_of
        state = states.get(name)
        if state is not None:
            user = state.user
            if user == "remove" or (user is None and state.rule == "remove"):
                return
            if user in ("add", "pin"):
                source, origin, ready = "user", "user", None
        if name in result:
            return
        if ready is not None:
            result[name] = ready
            return
        if score_of is None:
            score_of = {t: (c, s) for t, c, s in scores}
        category, score = score_of.get(name, (categories.get(name, "general"), None))
        result[name] = Tag(name, category, score, source, origin, state is not None and state.user == "pin")

    for name, state in states.items():
        if state.imported:
            put(name, "import", state.import_origin)
    for tag in tagger:
        put(tag.name, "tagger", "tagger", tag)
    removed = set()
    for name, state in states.items():
        if state.user in ("add", "pin"):
            put(name, "user", "user")
        elif state.rule == "add" and state.user != "remove":
            put(name, "rule", "rule:curate")
        if state.user == "remove":
            removed.add(name)
    return list(result.values()), frozenset(removed)
