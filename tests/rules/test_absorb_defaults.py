"""absorb with the default learned categories: the guides' traits go to the trigger, hair style stays tagged."""

from __future__ import annotations

from loraprep.model.recipe import DEFAULT_LEARNED_CATEGORIES, ConceptRecipe
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


def test_a_signature_hair_style_is_still_absorbed_as_a_core_trait():
    concept = ConceptRecipe(name="", strategy="absorb")
    kept, _ = strategy(tags("ponytail", "twintails"), ctx(concept, core={"ponytail"}))
    assert names(kept) == ["twintails"]
