"""Properties of every rule over random tag sets: pure, idempotent, user adds/pins kept, user removals never back."""

from __future__ import annotations

import copy

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from loraprep.model.tagname import display_name
from loraprep.rules.arrange import PEOPLE
from loraprep.rules.context import RuleContext
from loraprep.rules.pipeline import RULES, apply_rules
from loraprep.rules.stats import ConceptStats
from tests.rules.tagsets import CORES, RECIPES, REMOVED, names, tag_sets

FAST = settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
RULE_IDS = [fn.rule_name for fn in RULES]


def _stats(core) -> ConceptStats:
    return ConceptStats(images=10, counts=None, core=frozenset(core), core_frequency=0.4)


def _context(recipe: str, core, removed, seed_key: str = "img") -> RuleContext:
    return RuleContext(RECIPES[recipe], frozenset(core), frozenset(removed), seed_key)


def _input_for(fn, tagset, ctx):
    # apply_rules hides user removals before any rule runs, and every rule after normalise sees unique names.
    return tuple(t for t in tagset if t.name not in ctx.user_removed)


recipes = st.sampled_from(sorted(RECIPES))


def test_every_rule_is_stamped_with_a_unique_name():
    assert len(set(RULE_IDS)) == len(RULES) == 9
    assert RULE_IDS[0] == "normalise" and RULE_IDS[-1] == "max_tags"


@pytest.mark.parametrize("fn", RULES, ids=RULE_IDS)
@FAST
@given(tagset=tag_sets(), recipe=recipes, core=CORES, removed=REMOVED)
def test_rule_is_pure_and_idempotent(fn, tagset, recipe, core, removed):
    ctx = _context(recipe, core, removed)
    given_tags = _input_for(fn, tagset, ctx)
    before = copy.deepcopy(given_tags)
    kept, dropped = fn(given_tags, ctx)
    assert given_tags == before                                           # input untouched
    assert fn(given_tags, _context(recipe, core, removed)) == (kept, dropped)  # same answer, fresh context
    again, dropped_again = fn(kept, ctx)
    assert again == kept                                                  # r(r(x)) == r(x)
    assert dropped_again == ()


@pytest.mark.parametrize("fn", RULES, ids=RULE_IDS)
@FAST
@given(tagset=tag_sets(), recipe=recipes, core=CORES, removed=REMOVED)
def test_rule_never_drops_a_user_tag(fn, tagset, recipe, core, removed):
    ctx = _context(recipe, core, removed)
    given_tags = _input_for(fn, tagset, ctx)
    kept, dropped = fn(given_tags, ctx)
    user = {t.name for t in given_tags if t.by_user}
    assert user <= set(names(kept))
    assert not [d for d in dropped if d.tag.by_user]
    assert all(t.by_user for t in kept if t.name in user)                  # still marked as the user's


@FAST
@given(tagset=tag_sets(raw=True), recipe=recipes, core=CORES, removed=REMOVED)
def test_apply_rules_is_idempotent_on_its_own_output(tagset, recipe, core, removed):
    concept = RECIPES[recipe]
    first = apply_rules(tagset, concept, _stats(core), user_removed=frozenset(removed), seed_key="img")
    second = apply_rules(first.kept, concept, _stats(core), user_removed=frozenset(removed), seed_key="img")
    assert second.kept == first.kept
    assert second.dropped == ()
    assert second.keep_tokens == first.keep_tokens


@FAST
@given(tagset=tag_sets(raw=True), recipe=recipes, core=CORES, removed=REMOVED)
def test_user_wins_over_every_rule(tagset, recipe, core, removed):
    result = apply_rules(tagset, RECIPES[recipe], _stats(core), user_removed=frozenset(removed), seed_key="img")
    kept = set(result.names)
    user_added = {display_name(t.name) for t in tagset if t.by_user} - set(removed)
    assert user_added <= kept, "a tag the user added or pinned was dropped"
    assert not kept & set(removed), "a tag the user removed came back"


@FAST
@given(tagset=tag_sets(raw=True), recipe=recipes, core=CORES)
def test_apply_rules_is_deterministic_and_accounts_for_every_tag(tagset, recipe, core):
    concept = RECIPES[recipe]
    first = apply_rules(tagset, concept, _stats(core), seed_key="img")
    assert apply_rules(list(tagset), concept, _stats(core), seed_key="img") == first
    kept = set(first.names)
    assert len(kept) == len(first.names)                                   # no duplicates
    protected = sum(RuleContext(concept).protected(t) or bool(PEOPLE.match(t.name)) for t in first.kept)
    assert len(first.names) <= max(concept.rules.max_tags, protected)      # only protected and people tags go past
    for tag in tagset:                                                     # every input tag is kept or explained
        name = display_name(tag.name)
        assert name in kept or any(display_name(d.tag.name) == name for d in first.dropped_tags), name
    assert {d.rule for d in first.dropped_tags} <= set(RULE_IDS)
