"""select_tags: per-category thresholds, MCut, ratings out unless asked; scores_above keeps every score >= 0.05."""

from __future__ import annotations

import numpy as np
import pytest

from loraprep.tagging.postprocess import mcut_threshold, scores_above, select_tags

SCORES = [
    ("general", "rating", 0.93), ("sensitive", "rating", 0.06),
    ("1girl", "general", 0.97), ("long hair", "general", 0.91), ("smile", "general", 0.40),
    ("^_^", "general", 0.36), ("hat", "general", 0.20), ("bow", "general", 0.06),
    ("hatsune miku", "character", 0.90), ("kagamine rin", "character", 0.60),
]


def names(tags):
    return [t[0] for t in tags]


def test_default_thresholds_sorted_rating_left_out():
    tags = select_tags(SCORES)
    assert names(tags) == ["1girl", "long hair", "hatsune miku", "smile", "^_^"]
    assert [t[2] for t in tags] == sorted((t[2] for t in tags), reverse=True)


def test_character_uses_its_own_threshold():
    assert "kagamine rin" not in names(select_tags(SCORES))
    assert "kagamine rin" in names(select_tags(SCORES, character=0.5))
    assert "smile" in names(select_tags(SCORES, character=0.95)) and "hatsune miku" not in names(
        select_tags(SCORES, character=0.95))


def test_general_threshold_changes_only_general():
    tags = names(select_tags(SCORES, general=0.5))
    assert tags == ["1girl", "long hair", "hatsune miku"]


def test_include_rating_adds_only_the_top_rating():
    tags = select_tags(SCORES, include_rating=True)
    ratings = [t for t in tags if t[1] == "rating"]
    assert ratings == [("general", "rating", 0.93)]


def test_mcut_cuts_at_the_largest_gap():
    # general scores 0.97 0.91 0.40 0.36 0.20 0.06: largest gap 0.91 -> 0.40, cut at 0.655
    assert mcut_threshold([0.97, 0.91, 0.40, 0.36, 0.20, 0.06]) == pytest.approx(0.655)
    tags = names(select_tags(SCORES, mcut=True))
    assert tags == ["1girl", "long hair", "hatsune miku"]


def test_character_mcut_never_below_015():
    scores = [("a", "character", 0.16), ("b", "character", 0.12)]
    assert names(select_tags(scores, character_mcut=True)) == ["a"]
    assert select_tags([("c", "character", 0.1)], character_mcut=True) == []


def test_mcut_of_one_score_keeps_it():
    assert names(select_tags([("solo", "general", 0.5)], general=0.9, mcut=True)) == ["solo"]


def test_scores_above_keeps_everything_from_min_score_highest_first():
    probs = np.array([0.5, 0.04, 0.05, 0.9], np.float32)
    out = scores_above(probs, ["a", "b", "c", "d"], ["general"] * 4)
    assert [n for n, _, _ in out] == ["d", "a", "c"]
    assert scores_above(probs, ["a", "b", "c", "d"], ["general"] * 4, min_score=0.6)[0][0] == "d"
