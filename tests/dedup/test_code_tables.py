"""Key-window tables: the permutation keeps distances, a lookup finds exactly its bucket's entries within reach
(full buckets included), and the window plan never finds a distance less often than independent tables."""

from __future__ import annotations

import numpy as np
import pytest

from loraprep.dedup.code_tables import SLOTS, Table, Workspace, permutation_tables, permute, window_success
from loraprep.dedup.search import collision_probability, plan_groups, plan_tables


def test_permutation_keeps_distances_and_is_one_to_one():
    rng = np.random.default_rng(5)
    codes = rng.integers(0, 2**64 - 1, 4000, dtype=np.uint64, endpoint=True)
    tables = permutation_tables(rng)
    moved = permute(codes, tables)
    assert len(np.unique(moved)) == len(np.unique(codes))
    a, b = rng.integers(0, len(codes), (2, 3000))
    assert np.array_equal(np.bitwise_count(codes[a] ^ codes[b]), np.bitwise_count(moved[a] ^ moved[b]))
    single = permute(np.uint64(1) << np.arange(64, dtype=np.uint64), tables)
    assert sorted(int(x).bit_length() - 1 for x in single) == list(range(64))      # every bit goes somewhere once


@pytest.mark.parametrize("bits, low, crowd, reach", [(10, 54, 3, 10), (12, 40, 40, 12), (9, 0, 200, 16)])
def test_lookup_finds_exactly_its_buckets_entries_within_reach(bits, low, crowd, reach):
    """Brute force over the same key: buckets emptier and far fuller than a row (SLOTS) alike, reaches below and
    above the key length (empty slots must never turn into pairs)."""
    rng = np.random.default_rng(bits + crowd)
    index = rng.integers(0, 2**63, 1500, dtype=np.uint64) * np.uint64(2)
    hub = index[0]
    index[1:crowd] = hub ^ rng.integers(0, 1 << 6, crowd - 1).astype(np.uint64)    # one bucket with `crowd` entries
    near = index[rng.integers(0, len(index), 600)] ^ (np.uint64(1) << rng.integers(0, 64, 600).astype(np.uint64))
    queries = np.concatenate([rng.integers(0, 2**63, 600, dtype=np.uint64), near, np.full(5, hub)])
    table = Table(index, low, bits)
    q, i, d = table.lookup(queries, reach, Workspace(len(queries)))
    got = sorted(zip(q.tolist(), i.tolist(), d.tolist()))
    mask = np.uint64((1 << bits) - 1)
    same_key = ((queries[:, None] >> np.uint64(low)) & mask) == ((index[None, :] >> np.uint64(low)) & mask)
    dist = np.bitwise_count(queries[:, None] ^ index[None, :])
    want = sorted((int(a), int(b), int(dist[a, b])) for a, b in zip(*np.nonzero(same_key & (dist <= reach))))
    assert got == want
    assert crowd <= SLOTS or any(b >= SLOTS for _, b, _ in got)       # entries past a full row were reached


def test_window_success_is_what_random_permutations_give():
    rng = np.random.default_rng(9)
    for distance, bits, windows in ((8, 18, 3), (10, 12, 5), (6, 20, 3)):
        hits = 0
        trials = 20000
        for _ in range(trials):
            differing = rng.choice(64, size=distance, replace=False)
            hits += any(not np.any((differing >= w * bits) & (differing < (w + 1) * bits)) for w in range(windows))
        assert abs(hits / trials - window_success(distance, bits, windows)) < 0.012
    assert window_success(8, 20, 1) == pytest.approx(collision_probability(8, 20))


@pytest.mark.parametrize("n", [2000, 20000, 1_000_000])
def test_window_plan_finds_every_distance_at_least_as_often_as_independent_tables(n):
    bits, tables = plan_tables(n, 8, 0.95)
    k, windows, groups = plan_groups(n, 8, 0.95, 10)
    assert windows == 64 // k
    for d in range(1, 11):
        ours = 1 - (1 - window_success(d, k, windows)) ** groups
        assert ours >= 1 - (1 - collision_probability(d, bits)) ** tables - 1e-9
    assert windows * groups < tables or n < 10_000        # and fewer tables where it matters
