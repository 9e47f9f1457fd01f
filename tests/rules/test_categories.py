"""The shipped trait categories (for absorb / only-learned / prune modes) and the shipped meta-tag blacklist."""

from __future__ import annotations

import pytest

from loraprep.model.recipe import DEFAULT_LEARNED_CATEGORIES
from loraprep.rules.categories import category_names, default_blacklist, trait_of


@pytest.mark.parametrize("tag, category", [
    ("black hair", "hair color"), ("platinum blonde hair", "hair color"), ("multicolored hair", "hair color"),
    ("short hair", "hair length"), ("very long hair", "hair length"),
    ("bangs", "hair style"), ("ponytail", "hair style"), ("star hair ornament", "hair style"),
    ("blue eyes", "eye color"), ("heterochromia", "eye color"),
    ("freckles", "skin"), ("dark skin", "skin"), ("mole under eye", "skin"),
    ("small breasts", "body"), ("thick eyebrows", "body"),
    ("orange shirt", "clothing"), ("grey pants", "clothing"), ("grey socks", "clothing"),
    ("school uniform", "clothing"), ("pantyhose", "clothing"),
    ("cat ears", "non-human"), ("tail", "non-human"), ("horns", "non-human"),
])
def test_trait_of(tag, category):
    assert trait_of(tag)[0] == category


@pytest.mark.parametrize("tag", ["1girl", "solo", "smile", "blush", "closed eyes", "looking at viewer", "sitting",
                                 "window", "cushion", "simple background", "hair", "floating hair", "skin tight",
                                 "hand in own hair", "covering ears"])
def test_not_a_trait(tag):
    assert trait_of(tag) is None


def test_difficulty_is_0_for_human_and_1_for_non_human_traits():
    assert trait_of("blue eyes")[1] == 0
    assert trait_of("animal ears")[1] == 1
    assert trait_of("pointy ears") == ("body", 0)      # excluded from non-human, listed under body


def test_default_learned_categories_exist():
    assert set(DEFAULT_LEARNED_CATEGORIES) <= set(category_names())
    assert "clothing" in category_names() and "clothing" not in DEFAULT_LEARNED_CATEGORIES


def test_shipped_meta_blacklist():
    shipped = default_blacklist()
    assert {"watermark", "signature", "artist name", "twitter username", "web address"} <= set(shipped)
    assert all(t == t.strip() and t and not t.startswith("#") for t in shipped)
    assert "1girl" not in shipped and "blurry" not in shipped
