"""Effective tags before rules: tagger scores past the thresholds, imported captions, then the journal's word."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from operator import gt
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
    if not thresholds.mcut and not thresholds.include_rating:
        # The usual case, without select_tags' general machinery: a per-category cut. Stored rows come highest
        # first, and a strictly falling result is exactly select_tags' order (score, then name for ties).
        cut = {"character": thresholds.character, "rating": 2.0}
        general = thresholds.general
        kept = [r for r in scores if r[2] >= cut.get(r[1], general)]
        values = [r[2] for r in kept]
        if all(map(gt, values, values[1:])):
            return kept
    from loraprep.tagging.postprocess import select_tags

    return select_tags(scores, general=thresholds.general, character=thresholds.character, mcut=thresholds.mcut,
                       include_rating=thresholds.include_rating)


@dataclass(frozen=True)
class LeanBase:
    """One image's tags before rules as parallel tuples: what the rules need, without a Tag object per tag.

    ``sources``/``origins`` are None for the common image whose tags all come from the tagger.
    """

    names: tuple[str, ...]
    scores: tuple                       # float, or None for a tag no tagger score backs
    pinned: frozenset = frozenset()
    removed: frozenset = frozenset()    # names the user removed: hidden from every source
    sources: tuple | None = None
    origins: tuple | None = None

    @cached_property
    def name_set(self) -> frozenset:
        return frozenset(self.names)

    @property
    def user(self) -> frozenset:
        """Names no rule may drop: added or pinned by the user."""
        if self.sources is None:
            return self.pinned
        return self.pinned | {n for n, s in zip(self.names, self.sources) if s == "user"}

    def source_of(self, i: int) -> str:
        return "tagger" if self.sources is None else self.sources[i]

    def origin_of(self, i: int) -> str:
        return "tagger" if self.origins is None else self.origins[i]

    def tags(self, categories: Mapping[str, str], category_of: Mapping[str, str] | None = None) -> list[Tag]:
        """The same tags as Tag objects (for evidence and the editor's chips)."""
        fast = Tag.fast
        get = (category_of or {}).get
        fallback = categories.get
        return [fast(n, get(n) or fallback(n, "general"), s, self.source_of(i), self.origin_of(i), n in self.pinned)
                for i, (n, s) in enumerate(zip(self.names, self.scores))]


def lean_tagger(scores: Sequence[tuple[str, str, float]], thresholds: Thresholds) -> LeanBase:
    """The passing tagger scores of one image as a LeanBase."""
    if hasattr(scores, "passing") and not thresholds.mcut and not thresholds.include_rating:
        names, values = scores.passing(thresholds.general, thresholds.character)  # packed store rows
        return LeanBase(tuple(names), tuple(values))
    kept = tagger_tags(scores, thresholds)
    return LeanBase(tuple([r[0] for r in kept]), tuple([r[2] for r in kept]))


def lean_base(scores: Sequence[tuple[str, str, float]], thresholds: Thresholds, states: Mapping,
              tagger: LeanBase | None = None) -> LeanBase:
    """Merge tagger, imported and journal tags into one ordered LeanBase.

    Order: imported caption tags in file order, then tagger tags by score, then tags the user or a written
    curate batch added. A user remove hides a tag from every source; a user add or pin always shows it.
    ``tagger`` may pass the already-computed ``lean_tagger`` to skip the threshold step.
    """
    if tagger is None:
        tagger = lean_tagger(scores, thresholds)
    if not states:
        return tagger
    position: dict[str, int] = {}
    names, values, sources, origins = [], [], [], []

    def put(name: str, source: str, origin: str, score=None, scored: bool = False) -> None:
        state = states.get(name)
        if state is not None:
            user = state.user
            if user == "remove" or (user is None and state.rule == "remove"):
                return
            if user in ("add", "pin"):
                source, origin, scored = "user", "user", False
        if name in position:
            return
        if not scored:
            score = _stored_score(scores, name)
        position[name] = len(names)
        names.append(name)
        values.append(score)
        sources.append(source)
        origins.append(origin)

    for name, state in states.items():
        if state.imported:
            put(name, "import", state.import_origin)
    if not names and not any(name in tagger.name_set for name in states):
        # The journal says nothing about any tagger tag (say, the user only added one): take them as they are.
        position.update(zip(tagger.names, range(len(tagger.names))))
        names.extend(tagger.names)
        values.extend(tagger.scores)
        sources.extend(["tagger"] * len(names))
        origins.extend(["tagger"] * len(names))
    else:
        for name, score in zip(tagger.names, tagger.scores):
            put(name, "tagger", "tagger", score, True)
    removed = set()
    pinned = set()
    for name, state in states.items():
        if state.user in ("add", "pin"):
            put(name, "user", "user")
            if state.user == "pin":
                pinned.add(name)
        elif state.rule == "add" and state.user != "remove":
            put(name, "rule", "rule:curate")
        if state.user == "remove":
            removed.add(name)
    return LeanBase(tuple(names), tuple(values), frozenset(pinned) & frozenset(position), frozenset(removed),
                    tuple(sources), tuple(origins))


def _stored_score(scores, name: str) -> float | None:
    """The stored score of one tag of one image, below the thresholds too; None when the tagger never saw it."""
    if hasattr(scores, "score_of"):
        return scores.score_of(name)
    return next((s for t, _c, s in scores if t == name), None)


def base_tags(scores: Sequence[tuple[str, str, float]], thresholds: Thresholds, states: Mapping,
              categories: Mapping[str, str] | None = None) -> tuple[list[Tag], frozenset[str]]:
    """The merged tags as Tag objects, and the set the user removed."""
    lean = lean_base(scores, thresholds, states)
    return lean.tags(categories or {}, {t: c for t, c, _s in scores}), lean.removed
