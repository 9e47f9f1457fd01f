"""RunningStats stays equal to a full recount through any sequence of adds, removes and tag shifts."""

from __future__ import annotations

from collections import Counter

from hypothesis import given, settings
from hypothesis import strategies as st

from loraprep.rules.running_stats import RunningStats

TAGS = st.frozensets(st.sampled_from(["a", "b", "c", "d", "e"]), max_size=5)
STEPS = st.lists(st.tuples(st.sampled_from(["add", "remove", "change", "add many", "remove many"]), st.integers(0, 5),
                           TAGS, st.sampled_from(["x", "y"])),
                 max_size=30)


@settings(max_examples=200, deadline=None)
@given(steps=STEPS)
def test_incremental_counts_equal_a_recount(steps):
    running = RunningStats(lambda concept: 0.5)
    images: dict[int, tuple[str, frozenset]] = {}
    for kind, image, tags, concept in steps:
        if kind == "add" and image not in images:
            images[image] = (concept, tags)
            running.add(concept, tags)
        elif kind == "remove" and image in images:
            running.add(*images.pop(image), -1)
        elif kind == "add many":  # this image and the next one, if neither is counted yet
            fresh = [i for i in (image, image + 6) if i not in images]
            for i in fresh:
                images[i] = (concept, tags)
            running.add_many(concept, [tags] * len(fresh))
        elif kind == "remove many":  # every counted image of this concept from ``image`` on
            gone = [i for i, (c, _t) in images.items() if c == concept and i >= image]
            running.add_many(concept, [images.pop(i)[1] for i in gone], -1)
        elif kind == "change" and image in images:
            concept, before = images[image]
            running.shift(concept, {t: (t in tags) - (t in before) for t in before | tags})  # as a write moves it
            images[image] = (concept, tags)
    for concept in ("x", "y"):
        members = [tags for c, tags in images.values() if c == concept]
        stats = running.get(concept)
        if not members:
            assert stats is None
            continue
        counts = Counter(t for tags in members for t in tags)
        assert stats.images == len(members) and stats.counts == counts
        assert stats.core == frozenset(t for t, n in counts.items() if n >= 0.5 * len(members))
