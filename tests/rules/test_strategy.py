"""Strategies (guide 001's three patterns, absorb by category / core tags) and guide 002's prune modes."""

from __future__ import annotations

from dataclasses import replace

import pytest

from loraprep.model.recipe import ConceptRecipe
from loraprep.model.tags import Tag
from loraprep.rules.strategy import prune_mode, strategy
from tests.rules.tagsets import ctx, names, tags

# Guide 001, "Comparing 3 Tagging Patterns": the interrogator's tags, and what each pattern keeps when the goal
# is a LoRA of the character's appearance and clothing.
GUIDE_001 = ("1girl, bangs, black hair, blush, closed eyes, cushion, grey pants, grey socks, orange shirt, short hair, "
             "simple background, sitting, smile, solo, window").split(", ")
PATTERN_1 = GUIDE_001
PATTERN_2 = "1girl, blush, closed eyes, cushion, simple background, sitting, smile, solo, window".split(", ")
PATTERN_3 = "bangs, black hair, grey pants, grey socks, orange shirt, short hair".split(", ")
APPEARANCE_AND_CLOTHING = ("hair color", "hair length", "hair style", "eye color", "skin", "body", "clothing")


def _concept(mode: str) -> ConceptRecipe:
    concept = ConceptRecipe(name="", strategy=mode)
    return replace(concept, rules=replace(concept.rules, learned_categories=APPEARANCE_AND_CLOTHING))


@pytest.mark.parametrize("mode, expected", [("all", PATTERN_1), ("absorb", PATTERN_2), ("only-learned", PATTERN_3)])
def test_guide_001_three_patterns(mode, expected):
    kept, dropped = strategy(tags(*GUIDE_001), ctx(_concept(mode)))
    assert names(kept) == expected
    assert sorted(names(kept) + [d.tag.name for d in dropped]) == sorted(GUIDE_001)


def test_absorb_names_why():
    _, dropped = strategy(tags("black hair", "smile"), ctx(_concept("absorb")))
    assert [(d.tag.name, d.rule, d.why) for d in dropped] == [("black hair", "strategy", "absorbed by the trigger")]


def test_guide_003_absorb_freckles_with_the_default_categories():
    """Guide 003: remove "freckles" so the trigger includes them; guide 004: hair colour, length, eye colour."""
    concept = ConceptRecipe(name="", strategy="absorb")
    given = tags("freckles", "platinum blonde hair", "long hair", "green eyes", "small breasts", "smile", "dress")
    kept, _ = strategy(given, ctx(concept))
    assert names(kept) == ["smile", "dress"]


def test_absorb_by_explicit_learned_list_and_by_core_trait():
    concept = replace(ConceptRecipe(name="", strategy="absorb"), rules=replace(
        ConceptRecipe(name="").rules, learned=("holding cup",), learned_categories=()))
    kept, _ = strategy(tags("holding cup", "cat ears", "smile", "red eyes"), ctx(concept, core={"cat ears", "smile"}))
    # cat ears: a core trait; smile: core but no trait (an expression is not the character); red eyes: not core
    assert names(kept) == ["smile", "red eyes"]
    no_core = replace(concept, rules=replace(concept.rules, absorb_core=False))
    assert names(strategy(tags("cat ears"), ctx(no_core, core={"cat ears"}))[0]) == ["cat ears"]


def test_guide_001_blurry_stays_under_only_learned_when_protected():
    """Guide 001: tag blurry images `blurry` so the prompt can avoid it: a protected tag is never pruned."""
    concept = _concept("only-learned")
    concept = replace(concept, rules=replace(concept.rules, protect=("blurry",)))
    kept, _ = strategy(tags("black hair", "blurry", "smile"), ctx(concept))
    assert names(kept) == ["black hair", "blurry"]


def test_strategies_spare_user_tags():
    given = (Tag("black hair", source="user", origin="user"), Tag("window", pinned=True))
    assert names(strategy(given, ctx(_concept("absorb")))[0]) == ["black hair", "window"]
    assert names(strategy(given, ctx(_concept("only-learned")))[0]) == ["black hair", "window"]


# --- guide 002's prune modes -----------------------------------------------------------------------------------

CHARACTER = ("blue eyes", "long hair", "cat ears", "tail", "smile", "school uniform", "outdoors")


def test_prune_mode_minimal_and_none_leave_traits_alone():
    for mode in ("none", "minimal"):
        kept, _ = prune_mode(tags(*CHARACTER), ctx(prune_mode=mode, core=set(CHARACTER)))
        assert names(kept) == list(CHARACTER)


def test_prune_mode_character_core_drops_only_the_core_traits():
    rule_ctx = ctx(prune_mode="character_core", core={"blue eyes", "cat ears", "smile", "outdoors"})
    kept, dropped = prune_mode(tags(*CHARACTER), rule_ctx)
    assert names(kept) == ["long hair", "tail", "smile", "school uniform", "outdoors"]
    assert {d.why for d in dropped} == {"core character trait"}


def test_prune_mode_character_drops_traits_below_drop_difficulty():
    # difficulty 0: human traits; 1: furry / mecha / demon traits (guide 002's character tag difficulty)
    kept, _ = prune_mode(tags(*CHARACTER), ctx(prune_mode="character", drop_difficulty=1))
    assert names(kept) == ["cat ears", "tail", "smile", "outdoors"]
    kept, dropped = prune_mode(tags(*CHARACTER), ctx(prune_mode="character", drop_difficulty=2))
    assert names(kept) == ["smile", "outdoors"]
    assert "character trait (eye color)" in {d.why for d in dropped}
    kept, _ = prune_mode(tags(*CHARACTER), ctx(prune_mode="character", drop_difficulty=0))
    assert names(kept) == list(CHARACTER)


def test_prune_mode_spares_protected_tags():
    kept, _ = prune_mode(tags("blue eyes", "tail"), ctx(prune_mode="character", protect=("tail",)))
    assert names(kept) == ["tail"]
