"""absorb with the default learned categories: the guides' traits go to the trigger, hair style stays tagged."""

from __future__ import annotations

import pytest

from loraprep.model.recipe import DEFAULT_LEARNED_CATEGORIES, ConceptRecipe, RuleSettings
from loraprep.rules.pipeline import apply_rules
from loraprep.rules.stats import concept_stats
from loraprep.rules.strategy import strategy
from tests.rules.tagsets import ctx, names, tags


def test_defaults_are_the_traits_every_guide_prunes():
    assert DEFAULT_LEARNED_CATEGORIES == ("hair color", "hair length", "eye color", "skin", "body")


def test_guide_000_hair_style_stays_tagged_for_flexibility():
    """Guide 000: omit hair colour/length/eye colour; "for finnicky things like hairstyle, having it tagged"."""
    given = tags("brown hair", "short hair", "yellow eyes", "small breasts", "ponytail", "hair ornament", "smile")
    kept, dropped = strategy(given, ctx(ConceptRecipe(name="", strategy="absorb")))
    assert names(kept) == ["ponytail", "hair ornament", "smile"]
    assert {d.tag.name for d in dropped} == {"brown hair", "short hair", "yellow eyes", "small breasts"}


@pytest.mark.parametrize("frequent", [("ponytail", "school uniform", "pantyhose"), ("twintails", "serafuku"),
                                      ("hair ornament", "bikini", "thighhighs", "braid")])
def test_frequent_hair_style_and_clothing_stay_tagged_with_the_default_absorb(frequent):
    """Issue 16 #2: on 2 of 5 images (core at core_frequency 0.4) they are core tags, and still not absorbed:
    guide 000 keeps hair style and optional outfit parts tagged, guide 004 leaves out hair style and clothing."""
    images = [(*frequent, "smile", "blue eyes"), (*frequent, "open mouth"), ("smile",), ("sky",), ("1girl",)]
    concept = ConceptRecipe(name="", strategy="absorb")
    stats = concept_stats(images, concept.rules.core_frequency)
    assert set(frequent) <= stats.core
    kept = apply_rules(tags(*images[0], source="import", origin="file:a.txt"), concept, stats).names
    assert kept == (*frequent, "smile")


@pytest.mark.parametrize("signature", ["horns", "scar", "tail", "muscular"])
def test_a_core_innate_trait_is_absorbed_even_when_its_category_is_not_listed(signature):
    concept = ConceptRecipe(name="", strategy="absorb", rules=RuleSettings(learned_categories=()))
    kept, dropped = strategy(tags(signature, "ponytail", "school uniform"),
                             ctx(concept, core={signature, "ponytail", "school uniform"}))
    assert names(kept) == ["ponytail", "school uniform"]
    assert [d.tag.name for d in dropped] == [signature]


def test_absorb_core_off_absorbs_only_the_listed_categories():
    concept = ConceptRecipe(name="", strategy="absorb", rules=RuleSettings(learned_categories=(), absorb_core=False))
    kept, _ = strategy(tags("horns", "smile"), ctx(concept, core={"horns"}))
    assert names(kept) == ["horns", "smile"]

