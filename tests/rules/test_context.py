"""RuleContext: what counts as protected and as learned."""

from __future__ import annotations

from loraprep.model.recipe import ConceptRecipe
from loraprep.model.tags import Tag
from tests.rules.tagsets import ctx


def test_protected_tags():
    rule_ctx = ctx(ConceptRecipe(name="", trigger=("mychar",), fixed=("school uniform",)), protect=("blurry", "* eyes"))
    assert rule_ctx.protected(Tag("mine", source="user"))
    assert rule_ctx.protected(Tag("pinned", pinned=True))
    assert rule_ctx.protected(Tag("mychar")) and rule_ctx.protected(Tag("school uniform"))
    assert rule_ctx.protected(Tag("blurry")) and rule_ctx.protected(Tag("red eyes"))
    assert not rule_ctx.protected(Tag("smile")) and not rule_ctx.protected(Tag("from file", source="import"))


def test_learned_by_list_category_or_core_trait():
    rule_ctx = ctx(learned=("holding cup",), learned_categories=("eye color",), core={"cat ears", "smile"})
    assert rule_ctx.learned("holding cup")          # listed, even though no trait
    assert rule_ctx.learned("blue eyes")            # its category is learned
    assert rule_ctx.learned("cat ears")             # a core trait of the concept
    assert not rule_ctx.learned("smile")            # core, but not a trait
    assert not rule_ctx.learned("black hair")       # a trait, but neither learned nor core
    assert not ctx(absorb_core=False, learned_categories=(), core={"cat ears"}).learned("cat ears")
