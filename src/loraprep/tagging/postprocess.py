"""From tagger scores to tags: per-category thresholds, MCut, rating left out unless asked (pure functions)."""

from __future__ import annotations

from typing import Iterable, Sequence

import numpy as np

Score = tuple[str, str, float]  # (display tag name, category name, score)

CATEGORY_NAMES = {0: "general", 1: "artist", 3: "copyright", 4: "character", 5: "meta", 9: "rating"}
MIN_SCORE = 0.05


def category_name(code: int) -> str:
    return CATEGORY_NAMES.get(code, f"category {code}")


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


def select_tags(scores: Iterable[Score], *, general: float = 0.35, character: float = 0.85, mcut: bool = False,
                character_mcut: bool = False, include_rating: bool = False) -> list[Score]:
    """The tags that pass, highest score first.

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
    kept = [r for r in rows if r[1] not in ("character", "rating") and r[2] >= general_cut]
    kept += [r for r in rows if r[1] == "character" and r[2] >= character_cut]
    if include_rating:
        ratings = [r for r in rows if r[1] == "rating"]
        if ratings:
            kept.append(max(ratings, key=lambda r: r[2]))
    return sorted(kept, key=lambda r: (-r[2], r[0]))


def scores_above(probs: np.ndarray, names: Sequence[str], categories: Sequence[str],
                 min_score: float = MIN_SCORE) -> list[Score]:
    """Every (name, category, score) of one image's sigmoid outputs with score >= ``min_score``, highest first."""
    idx = np.flatnonzero(probs >= min_score)
    idx = idx[np.argsort(-probs[idx], kind="stable")]
    return [(names[i], categories[i], float(probs[i])) for i in idx]
