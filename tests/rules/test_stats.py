"""Tag frequencies per concept and core tags (guide 002: present on >= core_frequency of the images)."""

from __future__ import annotations

from loraprep.rules.stats import concept_stats


def test_core_tags_at_the_default_threshold():
    images = [["red hair", "smile"], ["red hair", "sky"], ["red hair", "smile", "smile"], ["blue eyes"], []]
    stats = concept_stats(images)
    assert stats.images == 5
    assert stats.counts["smile"] == 2                  # once per image, however often it is listed
    assert stats.frequency("red hair") == 0.6
    assert stats.core == frozenset({"red hair", "smile"})   # 2/5 = 0.4 is enough
    assert stats.core_frequency == 0.4


def test_threshold_is_inclusive_and_configurable():
    images = [["a", "b"], ["a"], ["a"], ["c"]]
    assert concept_stats(images, 0.75).core == frozenset({"a"})
    assert concept_stats(images, 0.25).core == frozenset({"a", "b", "c"})
    assert concept_stats(images, 1.0).core == frozenset()


def test_no_images():
    stats = concept_stats([])
    assert stats.images == 0 and stats.core == frozenset() and stats.frequency("x") == 0.0


def test_accepts_any_iterables():
    stats = concept_stats(iter([("a",), {"a", "b"}]), 0.6)
    assert stats.core == frozenset({"a"})
