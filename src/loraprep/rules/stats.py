"""Tag frequencies per concept and its core tags (present on >= core_frequency of its images)."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Iterable


@dataclass(frozen=True)
class ConceptStats:
    images: int
    counts: Counter
    core: frozenset[str]
    core_frequency: float

    def frequency(self, tag: str) -> float:
        return self.counts.get(tag, 0) / self.images if self.images else 0.0


def concept_stats(tag_lists: Iterable[Iterable[str]], core_frequency: float = 0.4) -> ConceptStats:
    """Count each tag once per image; core = tags on at least ``core_frequency`` of the images."""
    counts: Counter = Counter()
    images = 0
    for tags in tag_lists:
        images += 1
        counts.update(set(tags))
    need = core_frequency * images
    core = frozenset(t for t, c in counts.items() if images and c >= need)
    return ConceptStats(images, counts, core, core_frequency)
