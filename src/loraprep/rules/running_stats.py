"""Concept statistics kept up to date as images change, so one edit does not recount the whole dataset."""

from __future__ import annotations

from collections import Counter
from itertools import chain
from typing import Callable, Iterable, Mapping

from loraprep.rules.stats import ConceptStats


class RunningStats:
    """Per concept: how many active images, and on how many of them each tag appears."""

    def __init__(self, core_frequency: Callable[[str], float]):
        self._core_frequency = core_frequency
        self._images: Counter = Counter()
        self._counts: dict[str, Counter] = {}
        self._cache: dict[str, ConceptStats] = {}

    def add(self, concept: str, names: Iterable[str], sign: int = 1) -> None:
        """One image of ``concept`` (``sign`` -1: taken away)."""
        self.add_many(concept, [names], sign)

    def add_many(self, concept: str, name_lists: list[Iterable[str]], sign: int = 1) -> None:
        """Many images of ``concept`` at once (``sign`` -1: taken away): one count over all their names."""
        if not name_lists:
            return
        self._images[concept] += sign * len(name_lists)
        seen = Counter(chain.from_iterable(map(set, name_lists)))
        self.shift(concept, {name: sign * n for name, n in seen.items()})

    def shift(self, concept: str, deltas: Mapping[str, int]) -> None:
        """Per tag, how many more (or fewer) images of ``concept`` carry it: a batch edit counted at once."""
        counts = self._counts.setdefault(concept, Counter())
        for name, delta in deltas.items():
            if delta:
                counts[name] += delta
                if counts[name] <= 0:
                    del counts[name]
        self._cache.pop(concept, None)

    def get(self, concept: str) -> ConceptStats | None:
        if self._images[concept] <= 0:
            return None
        stats = self._cache.get(concept)
        if stats is None:
            images = self._images[concept]
            frequency = self._core_frequency(concept)
            counts = self._counts[concept]
            need = frequency * images
            core = frozenset(t for t, c in counts.items() if c >= need)
            stats = self._cache[concept] = ConceptStats(images, Counter(counts), core, frequency)
        return stats

    def concepts(self) -> list[str]:
        return [c for c, n in self._images.items() if n > 0]
