"""The one threshold module: per-category cut, MCut, ratings out unless asked, the defaults declared once."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from loraprep.model.thresholds import (CHARACTER, GENERAL, Thresholds, category_cut, category_cuts, mcut_threshold,
                                       passing, passing_head, select_tags)

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




def test_each_category_uses_its_own_cut():
    assert category_cut("character", 0.3, 0.7) == 0.7
    assert category_cut("general", 0.3, 0.7) == category_cut("copyright", 0.3, 0.7) == 0.3
    assert category_cut("rating", 0.3, 0.7) > 1.0  # a rating never passes on a threshold
    assert category_cuts(["meta", "character", "rating"], 0.2, 0.9) == [0.2, 0.9, category_cut("rating", 0.2, 0.9)]


@pytest.mark.parametrize("general,character", [(GENERAL, CHARACTER), (0.1, 0.5), (0.4, 0.96), (0.95, 0.0)])
def test_the_fast_cuts_agree_with_select_tags(general, character):
    rows = sorted(SCORES, key=lambda r: (-r[2], r[0]))
    expected = select_tags(rows, general=general, character=character)
    assert passing(rows, Thresholds(general, character)) == expected
    categories = [c for _n, c, _s in rows]
    ids, values = passing_head(list(range(len(rows))), [s for _n, _c, s in rows],
                               category_cuts(categories, general, character), min(general, character))
    assert [(rows[i][0], v) for i, v in zip(ids, values)] == [(n, s) for n, _c, s in expected]


def test_the_default_thresholds_are_declared_once():
    from loraprep.model.recipe import TaggerSettings
    from loraprep.tagging.loader import ModelFiles
    from loraprep.model.thresholds import thresholds_for
    from loraprep.tagging.registry import MODELS, ModelInfo

    assert (Thresholds().general, Thresholds().character) == (GENERAL, CHARACTER) == (0.35, 0.85)
    unset = TaggerSettings()
    assert thresholds_for(unset.general, unset.character) == Thresholds()
    assert ModelInfo("m", "r/m").general == GENERAL and MODELS["wd-vit-v2"].character == CHARACTER
    assert not hasattr(ModelFiles("m", "main", {"model.onnx": Path("a")}), "general")  # carried, never read: gone
    # No other module spells a default threshold out: changing the guides' value is one edit.
    src = Path(__file__).resolve().parents[2] / "src" / "loraprep"
    spelled = re.compile(r"(general|character)\w*\s*(:\s*float\s*)?=\s*0\.(35|85)\b")
    found = [f"{p.relative_to(src)}:{n}" for p in src.rglob("*.py") if p.name != "thresholds.py"
             for n, line in enumerate(p.read_text(encoding="utf-8").splitlines(), 1) if spelled.search(line)]
    assert found == []


@pytest.mark.parametrize("setting, card, expected", [
    (None, None, (GENERAL, "default")),
    (None, 0.5296, (GENERAL, "default")),           # a model card never changes a user's captions silently
    (0.42, 0.5296, (0.42, "recipe")),
    (0.0, 0.2614, (0.0, "recipe")),
    ("model", 0.5296, (0.5296, "model card of wd-eva02-large-v3")),
    ("model", None, (GENERAL, "default (wd-eva02-large-v3 has no model card value)")),
])
def test_chosen_threshold_the_recipe_wins_else_the_guides_value(setting, card, expected):
    from loraprep.model.thresholds import chosen_threshold

    assert chosen_threshold(setting, GENERAL, card, "wd-eva02-large-v3") == expected


def test_thresholds_for_a_model_card_per_threshold():
    from loraprep.model.thresholds import thresholds_for

    t = thresholds_for("model", 0.9, card=(0.2614, 0.85), model="wd-vit-v3", mcut=True)
    assert (t.general, t.character, t.mcut) == (0.2614, 0.9, True)
    assert t.sources == ("model card of wd-vit-v3", "recipe")
    t = thresholds_for(None, "model", card=(0.2614, 0.77), model="wd-vit-v3")
    assert (t.general, t.character, t.sources) == (GENERAL, 0.77, ("default", "model card of wd-vit-v3"))
