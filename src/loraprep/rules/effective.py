"""Effective tags before rules: tagger scores past the thresholds, imported captions, then the journal's word."""

from __future__ import annotations

from typing import Mapping, Sequence

from loraprep.model.tags import FRONT, LeanBase, Tag
from loraprep.model.thresholds import Thresholds, passing


NO_TAGGER = LeanBase((), ())


def tagger_silenced(use: str, states) -> bool:
    """Whether the recipe's [tagger] use keeps the tagger's tags off one image: always for "never"; for
    "if-empty" when the journal says the image came with tags (imported from a caption file or a site, even
    if the user removed some since); never for "always". ``states``: the image's journal states, or None."""
    if use == "never":
        return True
    return use == "if-empty" and bool(states) and any(s.imported for s in states.values())


def lean_tagger(scores: Sequence[tuple[str, str, float]], thresholds: Thresholds) -> LeanBase:
    """The passing tagger scores of one image as a LeanBase."""
    if hasattr(scores, "passing") and not thresholds.mcut and not thresholds.include_rating:
        names, values = scores.passing(thresholds.general, thresholds.character)  # packed store rows
        return LeanBase(tuple(names), tuple(values))
    kept = passing(scores, thresholds)
    return LeanBase(tuple([r[0] for r in kept]), tuple([r[2] for r in kept]))


def tagger_tags(use: str, states, scores: Sequence[tuple[str, str, float]], thresholds: Thresholds) -> LeanBase:
    """The tagger's part of one image's tags: its passing scores, or none where [tagger] use silences it."""
    return NO_TAGGER if tagger_silenced(use, states) else lean_tagger(scores, thresholds)


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
    # One pass over the journal's word (a few dozen states at most), then set and dict work over the names.
    hidden, user, pinned, removed, front = set(), set(), set(), set(), set()
    imported: dict[str, str] = {}   # name -> caption file, in file order
    added: list[str] = []           # user adds and pins, curate adds: after the tagger's tags, in journal order
    for name, state in states.items():
        said = state.user
        if said == "remove":
            removed.add(name)
            hidden.add(name)
            continue
        if said is None and state.rule == "remove":
            hidden.add(name)
            continue
        if said in ("add", "pin"):
            user.add(name)
            if said == "pin":
                pinned.add(name)
            if state.front:
                front.add(name)
            added.append(name)
        elif state.rule == "add":
            added.append(name)
        if state.imported:
            imported[name] = state.import_origin
    from_tagger = tagger.name_set
    if not imported and hidden.isdisjoint(from_tagger) and user.isdisjoint(from_tagger):
        # The usual image after edits: the journal speaks only of tags the tagger did not give (one the user
        # added, one they removed), so the tagger's part is taken as one block.
        extra = tuple(dict.fromkeys(n for n in added if n not in from_tagger))
        count = len(tagger.names)
        return LeanBase(tagger.names + extra, tagger.scores + tuple(_stored_score(scores, n) for n in extra),
                        frozenset(pinned), frozenset(removed),
                        ("tagger",) * count + tuple("user" if n in user else "rule" for n in extra),
                        ("tagger",) * count + tuple(_user_origin(n, front) if n in user else "rule:curate"
                                                    for n in extra))
    tagger_names = tagger.names if hidden.isdisjoint(from_tagger) else [n for n in tagger.names if n not in hidden]
    order = dict.fromkeys(imported)
    order.update(dict.fromkeys(tagger_names))  # a name already there keeps its place: the first source wins
    order.update(dict.fromkeys(added))
    names = tuple(order)
    tagger_score = dict(zip(tagger.names, tagger.scores))
    values = tuple(tagger_score[n] if n in tagger_score else _stored_score(scores, n) for n in names)
    sources = tuple("user" if n in user else "import" if n in imported else "tagger" if n in from_tagger else "rule"
                    for n in names)
    origins = tuple(_user_origin(n, front) if n in user else imported[n] if n in imported
                    else "tagger" if n in from_tagger else "rule:curate" for n in names)
    return LeanBase(names, values, frozenset(pinned), frozenset(removed), sources, origins)


def _user_origin(name: str, front: set) -> str:
    return FRONT if name in front else "user"


def shows(state, from_tagger: bool) -> bool:
    """Whether one tag is among an image's tags before rules, from the journal's word on it (a TagState or None)
    and whether the tagger gives it: the membership rule of ``lean_base``, for one tag without building the rest."""
    if state is None:
        return from_tagger
    said = state.user
    if said == "remove" or (said is None and state.rule == "remove"):
        return False
    return from_tagger or said is not None or state.rule == "add" or state.imported


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
