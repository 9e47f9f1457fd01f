"""The pipeline's promises over random recipes (every setting drawn), not only the hand-written sample ones."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from loraprep.model.tagname import display_name
from loraprep.rules.pipeline import apply_rules, render_caption
from loraprep.rules.stats import ConceptStats
from tests.rules.tagsets import CORES, RECIPE_NAMES as NAMES, recipes, tag_sets

@settings(max_examples=200, deadline=None, suppress_health_check=list(HealthCheck))
@given(tagset=tag_sets(raw=True), concept=recipes(), core=CORES, removed=st.sets(NAMES, max_size=4))
def test_any_recipe_is_idempotent_lets_the_user_win_and_explains_every_tag(tagset, concept, core, removed):
    stats = ConceptStats(10, None, frozenset(core), 0.4)
    removed = frozenset(removed)
    first = apply_rules(tagset, concept, stats, user_removed=removed, seed_key="img")
    second = apply_rules(first.kept, concept, stats, user_removed=removed, seed_key="img")
    assert (second.kept, second.dropped, second.keep_tokens) == (first.kept, (), first.keep_tokens)
    kept = list(first.names)
    assert len(set(kept)) == len(kept)
    assert {display_name(t.name) for t in tagset if t.by_user} - removed <= set(kept)
    assert not set(kept) & removed
    fixed = [n for n in concept.fixed_tags if n not in removed]
    assert kept[:len(fixed)] == fixed                                     # trigger, then the fixed slot
    for tag in tagset:
        name = display_name(tag.name)
        assert not name or name in kept or name in removed or any(display_name(d.tag.name) == name
                                                                    for d in first.dropped_tags)
    caption = render_caption(first, concept)
    assert caption.count("|||") <= 1
