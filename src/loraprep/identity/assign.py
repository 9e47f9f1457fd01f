"""Pure decisions: the nearest reference character of each picture, and names for the clusters of the rest."""

from __future__ import annotations

from collections import Counter

import numpy as np

UNKNOWN = "unknown"


def nearest_characters(differences: np.ndarray, ref_characters: list[str],
                       threshold: float) -> list[tuple[str | None, float]]:
    """Per picture (row), the character whose closest reference is nearest, when that difference is within the
    threshold (CCIP's 'same character' test), else None; with the difference either way."""
    if differences.size == 0 or not ref_characters:
        return [(None, 1.0)] * len(differences)
    names = sorted(set(ref_characters))
    column = np.array([names.index(c) for c in ref_characters])
    best = np.full((len(differences), len(names)), np.inf, np.float32)
    for k in range(len(names)):
        best[:, k] = differences[:, column == k].min(axis=1)
    pick = best.argmin(axis=1)
    score = best[np.arange(len(best)), pick]
    return [(names[p] if s <= threshold else None, float(s)) for p, s in zip(pick, score)]


def dbscan(adjacency: np.ndarray, min_samples: int) -> np.ndarray:
    """DBSCAN labels (-1 for noise) from a boolean neighbourhood matrix (difference <= eps, the diagonal set).

    A core point has at least ``min_samples`` neighbours counting itself; clusters are the core points joined
    through each other's neighbourhoods, plus the border points they reach (a border point joins the first
    cluster that reaches it, in input order, as in DBSCAN).
    """
    n = len(adjacency)
    labels = np.full(n, -1, np.int64)
    core = adjacency.sum(axis=1) >= min_samples
    cluster = 0
    for seed in range(n):
        if not core[seed] or labels[seed] != -1:
            continue
        labels[seed] = cluster
        stack = [seed]
        while stack:
            point = stack.pop()
            for other in np.flatnonzero(adjacency[point] & (labels == -1)):
                labels[other] = cluster
                if core[other]:
                    stack.append(int(other))
        cluster += 1
    return labels


def cluster_names(labels: np.ndarray, taken: set[str] = frozenset()) -> dict[int, str]:
    """unknown-1, unknown-2, ... for cluster labels, the largest cluster first (ties: first seen), skipping names
    already in use (a character of the references, or a cluster the user kept)."""
    sizes = Counter(int(x) for x in labels if x >= 0)
    first = {}
    for i, x in enumerate(labels):
        first.setdefault(int(x), i)
    order = sorted(sizes, key=lambda c: (-sizes[c], first[c]))
    names, n = {}, 0
    for c in order:
        n += 1
        while f"{UNKNOWN}-{n}" in taken:
            n += 1
        names[c] = f"{UNKNOWN}-{n}"
    return names
