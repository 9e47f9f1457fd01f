"""Recipe dataclasses: defaults from DESIGN §5, fixed slots and keep_tokens, per-concept overrides."""

from __future__ import annotations

import dataclasses

import pytest

from loraprep.model.recipe import (DEFAULT_LEARNED_CATEGORIES, ORDERS, PRUNE_MODES, STRATEGIES, ConceptRecipe,
                                   Recipe, RuleSettings)


def test_defaults():
    concept = Recipe().for_concept("x")
    assert concept.name == "x" and concept.trigger == () and concept.strategy == "all"
    rules = concept.rules
    assert rules.default_blacklist and rules.overlap and rules.prune_mode == "minimal"
    assert (rules.core_frequency, rules.order, rules.max_tags, rules.separator) == (0.4, "score", 30, ", ")
    assert rules.learned_categories == DEFAULT_LEARNED_CATEGORIES
    assert STRATEGIES == ("all", "absorb", "only-learned")
    assert PRUNE_MODES == ("none", "minimal", "character_core", "character")
    assert set(ORDERS) == {"score", "original", "alphabetical", "shuffle"}


def test_fixed_tags_and_auto_keep_tokens():
    concept = ConceptRecipe(name="", trigger=("mychar", "armor outfit"), fixed=("armor outfit", "cape"))
    assert concept.fixed_tags == ("mychar", "armor outfit", "cape")
    assert concept.effective_keep_tokens == 3
    assert dataclasses.replace(concept, keep_tokens=1).effective_keep_tokens == 1
    assert ConceptRecipe(name="").effective_keep_tokens == 0


def test_for_concept_applies_overrides_and_merges_rules():
    base = ConceptRecipe(name="", trigger=("zeta",), rules=RuleSettings(max_tags=20, protect=("blurry",)))
    recipe = Recipe(base=base, overrides=(("outfit2", {"trigger": ("zetasummer",), "repeats": 3,
                                                       "rules": {"order": "shuffle"}}),))
    summer = recipe.for_concept("outfit2")
    assert summer.name == "outfit2" and summer.trigger == ("zetasummer",) and summer.repeats == 3
    assert summer.rules.order == "shuffle" and summer.rules.max_tags == 20 and summer.rules.protect == ("blurry",)
    other = recipe.for_concept("outfit1")
    assert other.trigger == ("zeta",) and other.rules == base.rules
    assert recipe.concepts == ("outfit2",)
    assert recipe.overrides[0][1]["rules"] == {"order": "shuffle"}      # resolving does not consume the override


def test_recipes_are_frozen_and_hashable():
    concept = Recipe().for_concept("x")
    with pytest.raises(dataclasses.FrozenInstanceError):
        concept.strategy = "absorb"
    assert hash(concept) == hash(Recipe().for_concept("x"))
