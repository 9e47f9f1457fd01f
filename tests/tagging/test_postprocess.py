"""scores_above keeps every score >= 0.05, highest first (which of them count as tags: tests/model/test_thresholds.py)."""

from __future__ import annotations

import numpy as np

from loraprep.tagging.postprocess import scores_above


def test_scores_above_keeps_everything_from_min_score_highest_first():
    probs = np.array([0.5, 0.04, 0.05, 0.9], np.float32)
    out = scores_above(probs, ["a", "b", "c", "d"], ["general"] * 4)
    assert [n for n, _, _ in out] == ["d", "a", "c"]
    assert scores_above(probs, ["a", "b", "c", "d"], ["general"] * 4, min_score=0.6)[0][0] == "d"
