"""The packed path gives the per-image engine's verdicts: random images, recipes, core tags and categories."""

from __future__ import annotations

import random

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from loraprep.model.recipe import ConceptRecipe, RuleSettings
from loraprep.model.tags import LeanBase
from loraprep.rules.packed import packed_verdicts
from loraprep.rules.pipeline import apply_rules_lean
from loraprep.rules.stats import ConceptStats
from tests.rules.tagsets import CATEGORIES, CORES, RECIPES, VOCAB, recipes, tag_sets


def lean(tagset, removed=frozenset()) -> LeanBase:
    """One image's tags before rules as the engine holds them (provenance kept where not all from the tagger)."""
    seen = {}
    for t in tagset:
        seen.setdefault(t.name, t)
    tagset = list(seen.values())
    sources = tuple(t.source for t in tagset)
    plain = all(s == "tagger" for s in sources)
    return LeanBase(tuple(t.name for t in tagset), tuple(t.score for t in tagset),
                    frozenset(t.name for t in tagset if t.pinned), frozenset(removed),
                    None if plain else sources, None if plain else tuple(t.origin for t in tagset))


def assert_same(bases, concept, core, categories):
    out = packed_verdicts(bases, concept, core, categories)
    stats = ConceptStats(len(bases), None, frozenset(core), 0.4)
    for i, base in enumerate(bases):
        if i in out.deferred:
            continue
        want = apply_rules_lean(base, concept, stats, seed_key=f"img{i}", categories=categories)
        got = out.verdict(i)
        assert got == want, (i, base)
    return out


@settings(max_examples=150, deadline=None, suppress_health_check=list(HealthCheck))
@given(images=st.lists(st.tuples(tag_sets(raw=False), st.booleans()), min_size=1, max_size=8),
       raw=st.lists(tag_sets(raw=True, max_size=10), max_size=2), concept=recipes(), core=CORES,
       removed=st.sets(st.sampled_from(VOCAB), max_size=3), with_categories=st.booleans())
def test_packed_verdicts_are_the_per_image_engines(images, raw, concept, core, removed, with_categories):
    bases = [lean(tags, removed if edited else ()) for tags, edited in images] + [lean(t) for t in raw]
    assert_same(bases, concept, frozenset(core), dict(CATEGORIES) if with_categories else None)


def test_the_sample_recipes_on_many_tagger_images_are_packed_not_deferred():
    rng = random.Random(7)
    names = list(VOCAB)
    bases = []
    for _ in range(300):
        drawn = rng.sample(names, rng.randint(0, 45))
        scores = sorted((rng.uniform(0.35, 1.0) for _n in drawn), reverse=True)
        bases.append(LeanBase(tuple(drawn), tuple(None if rng.random() < 0.05 else s for s in scores)))
    for name, concept in RECIPES.items():
        core = frozenset(rng.sample(names, 10))
        out = assert_same(bases, concept, core, dict(CATEGORIES))
        if concept.rules.order != "shuffle" and not concept.rules.aliases:
            assert len(out.deferred) < len(bases) // 10, name
            assert out.drop_image.size > 0 or name == "none", name


def test_imported_captions_and_tagger_scores_below_thresholds_are_packed():
    concept = ConceptRecipe(name="c", trigger=("mychar",), rules=RuleSettings(max_tags=4))
    bases = [LeanBase(("watermark", "hat", "santa hat", "1girl", "smile", "blush", "solo"),
                      (None, 0.2, 0.9, 0.95, 0.5, 0.6, None), sources=("import",) * 2 + ("tagger",) * 5,
                      origins=("file:a.txt",) * 2 + ("tagger",) * 5)]
    out = assert_same(bases, concept, frozenset(), None)
    assert out.deferred == []
    assert out.verdict(0).names == ("mychar", "solo", "1girl", "santa hat")  # a missing score sorts as 1.0
