"""From the tagger's outputs to stored scores: category names, every score above the floor (pure functions).

Which stored scores then count as tags is model/thresholds.py's decision.
"""

from __future__ import annotations

from typing import Sequence

import numpy as np

Score = tuple[str, str, float]  # (display tag name, category name, score)

CATEGORY_NAMES = {0: "general", 1: "artist", 3: "copyright", 4: "character", 5: "meta", 9: "rating"}
MIN_SCORE = 0.05


def category_name(code: int) -> str:
    return CATEGORY_NAMES.get(code, f"category {code}")


def scores_above(probs: np.ndarray, names: Sequence[str], categories: Sequence[str],
                 min_score: float = MIN_SCORE) -> list[Score]:
    """Every (name, category, score) of one image's sigmoid outputs with score >= ``min_score``, highest first."""
    idx = np.flatnonzero(probs >= min_score)
    idx = idx[np.argsort(-probs[idx], kind="stable")]
    return [(names[i], categories[i], float(probs[i])) for i in idx]
