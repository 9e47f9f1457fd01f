"""Which tagger scores count as tags: the default thresholds and the per-category cut (store, tagger, rules)."""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass, field
from operator import ge, gt, neg
from typing import Iterable, Sequence

Score = tuple[str, str, float]  # (display tag name, category name, score)

# The guides' values (DESIGN §4): a general tag counts from 0.35, a character from 0.85.
GENERAL = 0.35
CHARACTER = 0.85
NEVER = 2.0  # the cut of a category that never passes on its own (ratings: one is chosen only when asked)


@dataclass(frozen=True)
class Thresholds:
    """Which stored tagger scores count as tags; changing these is a query, never a re-run."""

    general: float = GENERAL
    character: float = CHARACTER
    mcut: bool = False
    include_rating: bool = False
    # Where general and character came from ("recipe", "default", "model card of wd-eva02-large-v3", ...):
    # evidence for `tags` and `caption --why`, no part of which tags pass.
    sources: tuple[str, str] = field(default=("default", "default"), compare=False)


def chosen_threshold(setting: float | str | None, default: float, card: float | None,
                     model: str | None) -> tuple[float, str]:
    """The one decision of a threshold in force, with where it came from.

    The recipe's number wins; ``"model"`` asks for the model card's value (``card``, None when the model has no
    card in the registry); nothing set gives the guides' value. The card's value is never taken silently: it
    would change every caption of a user who changed nothing.
    """
    if setting is None:
        return default, "default"
    if setting == "model":
        if card is None:
            return default, f"default ({model or 'no model'} has no model card value)"
        return card, f"model card of {model}"
    return float(setting), "recipe"


def thresholds_for(general: float | str | None, character: float | str | None, *, mcut: bool = False,
                   include_rating: bool = False, card: tuple[float, float] | None = None,
                   model: str | None = None) -> Thresholds:
    """The Thresholds a recipe's [tagger] settings ask for, with the model card's (general, character)."""
    g, g_from = chosen_threshold(general, GENERAL, card and card[0], model)
    c, c_from = chosen_threshold(character, CHARACTER, card and card[1], model)
    return Thresholds(g, c, mcut, include_rating, (g_from, c_from))


def _special_cuts(character: float) -> dict[str, float]:
    # Characters have their own threshold and ratings never pass; every other category uses the general one.
    return {"character": character, "rating": NEVER}


def category_cut(category: str, general: float, character: float) -> float:
    """The threshold one category uses: characters their own, ratings never, every other category the general."""
    return _special_cuts(character).get(category, general)


def category_cuts(categories: Sequence[str], general: float, character: float) -> list[float]:
    """``category_cut`` of each category in a list (the store keeps one per tag id)."""
    get = _special_cuts(character).get
    return [get(c, general) for c in categories]


def passing_head(ids: Sequence[int], values: Sequence[float], cuts: Sequence[float], lowest: float):
    """Of rows sorted highest score first (``ids`` index ``cuts``), the ids and scores at or above their cut.

    Nothing below ``lowest`` (the smallest cut in force) can pass, so only the head of the rows is looked at.
    """
    head = bisect_right(values, -lowest, key=neg)
    ids, values = ids[:head], values[:head]
    if all(map(ge, values, map(cuts.__getitem__, ids))):  # the usual head: every tag passes its own cut
        return ids, list(values)
    kept = [(i, v) for i, v in zip(ids, values) if v >= cuts[i]]
    return [i for i, _v in kept], [v for _i, v in kept]


def mcut_threshold(values: Sequence[float]) -> float:
    """Maximum Cut Thresholding: the midpoint of the largest gap between consecutive sorted scores.

    Only scores >= 0.05 are stored, so a 0.0 floor stands in for the unstored tail; it changes the cut only
    when every score of the category is tiny.
    """
    ordered = sorted((float(v) for v in values), reverse=True) + [0.0]
    if len(ordered) < 2:
        return 0.0
    gaps = [ordered[i] - ordered[i + 1] for i in range(len(ordered) - 1)]
    i = max(range(len(gaps)), key=gaps.__getitem__)
    return (ordered[i] + ordered[i + 1]) / 2


def select_tags(scores: Iterable[Score], *, general: float = GENERAL, character: float = CHARACTER,
                mcut: bool = False, character_mcut: bool = False, include_rating: bool = False) -> list[Score]:
    """The tags that pass, highest score first (ties by name).

    General-like categories (general, artist, copyright, meta) use ``general``; characters use ``character``;
    ``mcut`` / ``character_mcut`` replace those thresholds by MCut of the image's own scores (characters never
    below 0.15, as in the reference tagger). Ratings are only returned with ``include_rating``, and then just
    the single most likely one.
    """
    rows = [(n, c, float(s)) for n, c, s in scores]
    chars = [s for _, c, s in rows if c == "character"]
    others = [s for _, c, s in rows if c not in ("character", "rating")]
    general_cut = mcut_threshold(others) if mcut else general
    character_cut = max(0.15, mcut_threshold(chars)) if character_mcut else character
    get = _special_cuts(character_cut).get
    kept = [r for r in rows if r[1] != "rating" and r[2] >= get(r[1], general_cut)]
    if include_rating:
        ratings = [r for r in rows if r[1] == "rating"]
        if ratings:
            kept.append(max(ratings, key=lambda r: r[2]))
    return sorted(kept, key=lambda r: (-r[2], r[0]))


def passing(scores: Sequence[Score], thresholds: Thresholds) -> list[Score]:
    """The stored scores of one image that pass the thresholds in force, highest first."""
    if not thresholds.mcut and not thresholds.include_rating:
        # The usual case, without select_tags' general machinery: a per-category cut. Stored rows come highest
        # first, and a strictly falling result is exactly select_tags' order (score, then name for ties).
        general, get = thresholds.general, _special_cuts(thresholds.character).get
        kept = [r for r in scores if r[2] >= get(r[1], general)]
        values = [r[2] for r in kept]
        if all(map(gt, values, values[1:])):
            return kept
    return select_tags(scores, general=thresholds.general, character=thresholds.character, mcut=thresholds.mcut,
                       include_rating=thresholds.include_rating)
