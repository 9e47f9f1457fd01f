"""A Draft of names alone and a Draft of Tag records, run through the same rule list, give one Verdict
(names, evidence, keep_tokens, origins of added tags) on any input."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from loraprep.model.recipe import ConceptRecipe, RuleSettings
from loraprep.model.tags import Tag
from loraprep.model.tags import LeanBase
from loraprep.rules.pipeline import apply_rules, apply_rules_lean
from loraprep.rules.stats import ConceptStats
from tests.rules.tagsets import CATEGORIES, CORES, RECIPE_NAMES, RECIPES, recipes, tag_sets


def lean_from(tagset, removed=frozenset()) -> LeanBase:
    return LeanBase(tuple(t.name for t in tagset), tuple(t.score for t in tagset),
                    frozenset(t.name for t in tagset if t.pinned), frozenset(removed),
                    tuple(t.source for t in tagset), tuple(t.origin for t in tagset))


def both(tagset, concept, core=(), removed=frozenset(), seed_key="img"):
    stats = ConceptStats(10, None, frozenset(core), 0.4)
    lean = lean_from(tagset, removed)
    # the categories as a workspace passes them: the store's vocabulary, to both paths
    reference = apply_rules(lean.tags(CATEGORIES), concept, stats, user_removed=frozenset(removed),
                            seed_key=seed_key, categories=CATEGORIES)
    fast = apply_rules_lean(lean, concept, stats, seed_key=seed_key, categories=CATEGORIES)
    assert reference.kept is not None and fast.kept is None  # evidence only where the rules ran on records
    return reference, fast


@settings(max_examples=400, deadline=None, suppress_health_check=list(HealthCheck))
@given(tagset=tag_sets(), concept=recipes(), core=CORES, removed=st.sets(RECIPE_NAMES, max_size=4))
def test_same_verdict_as_apply_rules_on_random_recipes(tagset, concept, core, removed):
    reference, fast = both(tagset, concept, core, frozenset(removed))
    assert fast == reference


@settings(max_examples=200, deadline=None, suppress_health_check=list(HealthCheck))
@given(tagset=tag_sets(), name=st.sampled_from(sorted(RECIPES)), core=CORES)
def test_same_verdict_on_the_guides_recipes(tagset, name, core):
    reference, fast = both(tagset, RECIPES[name], core)
    assert fast == reference


def test_an_alias_renamed_tag_carries_its_origin_and_the_slots_theirs():
    concept = ConceptRecipe(name="c", trigger=("mychar",), fixed=("school uniform",),
                            rules=RuleSettings(aliases=(("white panties", "frilled panties"),)))
    tagset = (Tag("white panties", score=0.9, source="import", origin="file:a.txt"), Tag("smile", score=0.8))
    reference, fast = both(tagset, concept)
    assert fast == reference
    assert dict(fast.added) == {"mychar": "rule:trigger", "school uniform": "rule:fixed",
                                "frilled panties": "file:a.txt; alias of white panties"}
    assert fast.names[:2] == ("mychar", "school uniform") and fast.keep_tokens == 2


def test_names_normalise_would_change_run_on_records_and_give_the_same_verdict():
    concept = ConceptRecipe(name="c", trigger=("mychar",))
    lean = LeanBase(("Long_Hair", "smile", "long hair"), (0.9, 0.8, 0.95), removed=frozenset({"Smile"}))
    verdict = apply_rules_lean(lean, concept)
    assert verdict == apply_rules(lean.tags({}), concept, user_removed=lean.removed)
    assert verdict.names == ("mychar", "long hair")
    assert verdict.dropped == (("long hair", "normalise", "duplicate", False),)
    duplicate = LeanBase(("smile", "smile"), (0.9, 0.8))
    assert apply_rules_lean(duplicate, ConceptRecipe(name="c")).names == ("smile",)


def test_max_tags_cut_and_its_evidence_match():
    concept = ConceptRecipe(name="c", rules=RuleSettings(max_tags=2))
    tagset = (Tag("a", score=0.5), Tag("b", score=0.9), Tag("c", score=0.7, source="user", origin="user"))
    reference, fast = both(tagset, concept)
    assert fast == reference
    assert fast.names == ("b", "c") and fast.dropped == (("a", "max_tags", "over 2 tags, #3 in caption order", False),)
