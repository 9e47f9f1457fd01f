"""The pipeline's promises over random recipes (every setting drawn), not only the hand-written sample ones."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from loraprep.model.recipe import ORDERS, PRUNE_MODES, STRATEGIES, STYLES, ConceptRecipe, RuleSettings
from loraprep.model.tagname import display_name
from loraprep.rules.pipeline import apply_rules, render_caption
from loraprep.rules.stats import ConceptStats
from tests.rules.tagsets import CORES, HOT, VOCAB, tag_sets

# Mostly the few names the sample tag sets draw often, so aliases, overlaps, slots and removals meet.
NAMES = st.one_of(st.sampled_from(HOT), st.sampled_from(HOT), st.sampled_from(VOCAB))
PATTERNS = st.one_of(NAMES, st.sampled_from(["* hair ornament", "* panties", "*hair", "re:^blu", "re:eyes$", "* hat"]))


@st.composite
def recipes(draw) -> ConceptRecipe:
    small = lambda s, n: tuple(draw(st.lists(s, max_size=n)))  # noqa: E731
    rules = RuleSettings(
        default_blacklist=draw(st.booleans()), blacklist=small(PATTERNS, 3), protect=small(PATTERNS, 2),
        aliases=small(st.tuples(PATTERNS, NAMES), 4), overlap=draw(st.booleans()),
        overlap_pairs=tuple((k, tuple(v)) for k, v in draw(
            st.dictionaries(NAMES, st.lists(NAMES, max_size=3), max_size=3)).items()),
        learned=small(NAMES, 3), absorb_core=draw(st.booleans()), prune_mode=draw(st.sampled_from(PRUNE_MODES)),
        drop_difficulty=draw(st.integers(0, 3)), order=draw(st.sampled_from(ORDERS)), seed=draw(st.integers(0, 5)),
        max_tags=draw(st.integers(1, 40)), style=draw(st.sampled_from(STYLES)))
    return ConceptRecipe(name="c", trigger=tuple(dict.fromkeys(small(NAMES, 2))),
                         fixed=tuple(dict.fromkeys(small(NAMES, 2))), strategy=draw(st.sampled_from(STRATEGIES)),
                         keep_tokens=draw(st.one_of(st.none(), st.integers(0, 4))),
                         keep_tokens_separator=draw(st.sampled_from([None, "|||"])), rules=rules)


@settings(max_examples=200, deadline=None, suppress_health_check=list(HealthCheck))
@given(tagset=tag_sets(raw=True), concept=recipes(), core=CORES, removed=st.sets(NAMES, max_size=4))
def test_any_recipe_is_idempotent_lets_the_user_win_and_explains_every_tag(tagset, concept, core, removed):
    stats = ConceptStats(10, None, frozenset(core), 0.4)
    removed = frozenset(removed)
    first = apply_rules(tagset, concept, stats, user_removed=removed, seed_key="img")
    second = apply_rules(first.kept, concept, stats, user_removed=removed, seed_key="img")
    assert (second.kept, second.dropped, second.keep_tokens) == (first.kept, (), first.keep_tokens)
    kept = first.names
    assert len(set(kept)) == len(kept)
    assert {display_name(t.name) for t in tagset if t.by_user} - removed <= set(kept)
    assert not set(kept) & removed
    fixed = [n for n in concept.fixed_tags if n not in removed]
    assert kept[:len(fixed)] == fixed                                     # trigger, then the fixed slot
    for tag in tagset:
        name = display_name(tag.name)
        assert not name or name in kept or name in removed or any(display_name(d.tag.name) == name
                                                                    for d in first.dropped)
    caption = render_caption(first, concept)
    assert caption.count("|||") <= 1
