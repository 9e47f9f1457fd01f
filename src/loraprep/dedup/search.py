"""Sub-quadratic candidate search on 64-bit codes: bit-sampling LSH tables, multi-probe queries, incremental."""

from __future__ import annotations

import math
from typing import Callable

import numpy as np

from loraprep.dedup.code_tables import Table, Workspace, permutation_tables, permute, window_success
from loraprep.dedup.threads import side_by_side


def collision_probability(radius: int, bits_per_key: int, code_bits: int = 64) -> float:
    """Chance that two codes ``radius`` bits apart share one table's key (bits sampled without replacement)."""
    p = 1.0
    for i in range(bits_per_key):
        p *= max(0, code_bits - radius - i) / (code_bits - i)
    return p


def plan_tables(n_index: int, radius: int, recall: float, sparsity: int = 0) -> tuple[int, int]:
    """(bits per key, number of tables): about one index entry per key (x 2**sparsity fewer), and a
    per-pair recall >= ``recall`` for two codes ``radius`` bits apart."""
    bits = int(min(24, max(12, math.ceil(math.log2(max(n_index, 2))) + sparsity)))
    p = collision_probability(radius, bits)
    tables = 1 if p >= recall else int(math.ceil(math.log(1 - recall) / math.log(1 - p)))
    return bits, tables


def plan_groups(n_index: int, radius: int, recall: float, reach: int) -> tuple[int, int, int]:
    """(bits per key, windows per permutation, permutations): the keys are the disjoint ``bits``-bit windows of
    random bit permutations of the codes (one permutation serves 64 // bits tables), with about 4 index entries
    per key (a bucket is one row of code_tables.Table: fewer, fuller buckets than plan_tables' one entry per key,
    51 tables instead of 74 at 1,000,000), and enough permutations that every distance up to ``reach`` is found at
    least as often as by plan_tables' independent tables (disjoint windows of one permutation miss together less
    often than independent samples do)."""
    reference_bits, reference_tables = plan_tables(n_index, radius, recall)
    bits = max(12, reference_bits - 2)
    windows = 64 // bits
    wanted = {d: 1 - (1 - collision_probability(d, reference_bits)) ** reference_tables
              for d in range(1, max(radius, reach) + 1)}
    groups = 1
    while any(1 - (1 - window_success(d, bits, windows)) ** groups < want - 1e-12 for d, want in wanted.items()):
        groups += 1
    return bits, windows, groups


_QUERY_SLICE = 1 << 18        # query codes permuted and looked up at a time: bounds the working set to ~30 MB


class CodeIndex:
    """Indexed codes (one per item) and probe codes (several per item); finds item pairs close in Hamming distance.

    probes[:, 0] is the item's own code, matched within ``radius`` bits; the other probes (crop
    hypotheses) are matched within ``probe_radius``. A pair (i, j) is a candidate when a probe of i
    is close to j's code or the other way round. All probes of all items are one query set looked up
    in one set of tables (plan_groups; one bit permutation of the query codes serves several tables).
    Items are appended with ``add``; ``pairs(since=k)`` returns only the pairs that touch an item added
    at position >= k, so adding 10 items costs 10 items' queries, not N.
    """

    def __init__(self, radius: int = 8, probe_radius: int = 8, recall: float = 0.95, probe_recall: float = 0.95,
                 seed: int = 0, probe_keep: int | None = None, plan_radius: int = 64):
        self.radius = radius                  # whole frame against whole frame
        self.probe_radius = probe_radius      # crop probes against whole frames
        self.recall = recall
        self.probe_recall = probe_recall
        self.seed = seed
        # the tables are planned for at most this radius: pairs further apart (up to the radius) are still
        # kept when a table meets them, with a lower chance (10 bits apart, tables for 8: 0.85 at 2,000 items,
        # 0.79 at 20,000; 9 bits apart 0.91 and 0.89)
        self.plan_radius = plan_radius
        # crop probes of textures and line drawings hit many unrelated frames; a true crop is among its
        # picture's nearest probe hits, so each querying item keeps only its ``probe_keep`` nearest (None: all)
        self.probe_keep = probe_keep
        self._codes: list[np.ndarray] = []
        self._probes: list[np.ndarray] = []

    def __len__(self) -> int:
        return sum(len(c) for c in self._codes)

    def add(self, codes: np.ndarray, probes: np.ndarray) -> None:
        codes = np.asarray(codes, np.uint64).reshape(-1)
        probes = np.asarray(probes, np.uint64).reshape(len(codes), -1)
        self._codes.append(codes)
        self._probes.append(probes)

    def pairs(self, since: int = 0, spread: Callable[[Callable, list[tuple]], list] | None = None,
              parts: int = 1) -> np.ndarray:
        """(m, 3) int64 rows (i, j, distance), i < j, distance = smallest probe-to-code Hamming distance.

        With ``spread`` (``spread(work, [args, ...])`` -> ``[work(*args), ...]``, e.g. over processes) the
        querying items are cut into ``parts`` runs, each looked up in the same tables on its own."""
        if not self._codes:
            return np.zeros((0, 3), np.int64)
        codes = np.concatenate(self._codes)
        probes = np.concatenate(self._probes, axis=0)
        n = len(codes)
        if n < 2 or since >= n:
            return np.zeros((0, 3), np.int64)
        everyone = np.arange(n)
        new = everyone[since:]
        jobs = [(everyone, new)] + ([(new, everyone[:since])] if since > 0 else [])     # new items' probes, old ones'
        settings = (self.radius, self.probe_radius, self.recall, self.probe_recall, self.seed, self.probe_keep,
                    self.plan_radius)
        if spread is None or parts < 2:
            found = [join_queries(settings, codes, probes, index_ids, query_ids, True) for index_ids, query_ids in jobs]
        else:
            # each run of querying items finds all of its own pairs: its nearest probe hits are complete
            args = [(settings, codes, probes, index_ids, run, False)
                    for index_ids, query_ids in jobs for run in np.array_split(query_ids, parts) if len(run)]
            found = spread(join_queries, args)
        return _merge(np.concatenate(found))


def join_queries(settings: tuple, codes: np.ndarray, probes: np.ndarray, index_ids: np.ndarray,
                 query_ids: np.ndarray, threads: bool) -> np.ndarray:
    """Pairs from the whole-frame codes (column 0, within ``radius``) and the crop probes (within
    ``probe_radius``, each querying item's ``probe_keep`` nearest), all found by the same tables.
    ``settings`` are a CodeIndex's; ``threads``: the table groups may run on threads side by side."""
    radius, probe_radius, recall, probe_recall, seed, probe_keep, plan_radius = settings
    reach = max(radius, probe_radius)
    bits, windows, groups = plan_groups(len(index_ids), min(reach, plan_radius), max(recall, probe_recall), reach)
    n_col = probes.shape[1]
    queries = np.ascontiguousarray(probes[query_ids]).reshape(-1)
    index_codes = codes[index_ids]
    limit = np.array([radius] + [probe_radius] * (n_col - 1))

    def one_group(group: int) -> np.ndarray:
        tables = permutation_tables(np.random.default_rng([seed, group]))
        permuted = permute(index_codes, tables)
        keyed = [Table(permuted, 64 - (w + 1) * bits, bits) for w in range(windows)]
        work = Workspace(min(len(queries), _QUERY_SLICE))
        found = []
        for at in range(0, len(queries), _QUERY_SLICE):
            part = permute(queries[at:at + _QUERY_SLICE], tables)
            for table in keyed:
                q, b, d = table.lookup(part, reach, work)
                item, col = np.divmod(q + at, n_col)
                a, b = query_ids[item], index_ids[b]
                keep = (a != b) & (d <= limit[col])
                if keep.any():
                    found.append(np.stack([a[keep], b[keep], d[keep], col[keep]], axis=1))
        return np.concatenate(found) if found else np.zeros((0, 4), np.int64)

    if threads and len(queries) * windows * groups > 4_000_000:    # numpy releases the GIL: groups run side by side
        rows = np.concatenate(side_by_side(one_group, range(groups)))
    else:
        rows = np.concatenate([one_group(g) for g in range(groups)])
    whole, crop = rows[rows[:, 3] == 0, :3], rows[rows[:, 3] > 0, :3]
    if probe_keep is not None:
        crop = nearest_per_query(crop, probe_keep)
    return _merge(np.concatenate([whole, crop]))


def nearest_per_query(rows: np.ndarray, keep: int) -> np.ndarray:
    """Of directed rows (query item, index item, distance), each query item's ``keep`` nearest distinct
    index items (ties broken by the lower index id, so the result does not depend on row order); the rows
    come back ordered by query item, distance, index item."""
    if not len(rows):
        return rows.reshape(0, 3)
    if int(rows[:, 0].max()) >= 1 << 25 or int(rows[:, 1].max()) >= 1 << 32 or int(rows[:, 2].max()) >= 1 << 7:
        return _nearest_per_query_lexsorted(rows, keep)
    # two plain sorts of packed keys (25 + 32 + 7 bits) instead of a three-key lexsort and np.unique: the
    # crop probes of 20,000 pictures bring 12 million rows, which the lexsort took 5.2 s to order
    u64 = np.uint64
    query, index, distance = (rows[:, c].astype(u64) for c in range(3))
    by_pair = np.sort((query << u64(39)) | (index << u64(7)) | distance)          # a pair's nearest row first
    pair = by_pair >> u64(7)
    first = np.ones(len(by_pair), bool)
    first[1:] = pair[1:] != pair[:-1]
    by_pair = by_pair[first]
    del pair, first
    mask32 = u64(0xFFFFFFFF)
    ranked = np.sort((by_pair >> u64(39) << u64(39)) | ((by_pair & u64(0x7F)) << u64(32)) | ((by_pair >> u64(7)) & mask32))
    query = (ranked >> u64(39)).astype(np.int64)
    start = np.ones(len(ranked), bool)
    start[1:] = query[1:] != query[:-1]
    group_start = np.maximum.accumulate(np.where(start, np.arange(len(ranked)), 0))
    ranked = ranked[np.arange(len(ranked)) - group_start < keep]
    return np.stack([(ranked >> u64(39)).astype(np.int64), (ranked & mask32).astype(np.int64),
                     ((ranked >> u64(32)) & u64(0x7F)).astype(np.int64)], axis=1)


def _nearest_per_query_lexsorted(rows: np.ndarray, keep: int) -> np.ndarray:
    """nearest_per_query for ids or distances too large to pack into one 64-bit key."""
    order = np.lexsort((rows[:, 1], rows[:, 2], rows[:, 0]))              # by query, distance, index item
    rows = rows[order]
    _, first = np.unique(rows[:, :2], axis=0, return_index=True)         # a pair's nearest row
    rows = rows[np.sort(first)]
    start = np.ones(len(rows), bool)
    start[1:] = rows[1:, 0] != rows[:-1, 0]
    group_start = np.maximum.accumulate(np.where(start, np.arange(len(rows)), 0))
    return rows[np.arange(len(rows)) - group_start < keep]


def _merge(rows: np.ndarray) -> np.ndarray:
    """Order each pair (i < j), keep the smallest distance per pair."""
    if not len(rows):
        return rows.reshape(0, 3)
    i = np.minimum(rows[:, 0], rows[:, 1])
    j = np.maximum(rows[:, 0], rows[:, 1])
    if int(j.max()) < 1 << 25 and int(rows[:, 2].max()) < 1 << 7:
        # pair and distance in one uint64 (25 + 32 + 7 bits): one plain sort, 5x faster than the lexsort
        u64 = np.uint64
        packed = np.sort((i.astype(u64) << u64(39)) | (j.astype(u64) << u64(7)) | rows[:, 2].astype(u64))
        pair = packed >> u64(7)
        first = np.ones(len(packed), bool)
        first[1:] = pair[1:] != pair[:-1]
        packed = packed[first]
        return np.stack([(packed >> u64(39)).astype(np.int64), ((packed >> u64(7)) & u64(0xFFFFFFFF)).astype(np.int64),
                         (packed & u64(0x7F)).astype(np.int64)], axis=1)
    key = (i.astype(np.uint64) << np.uint64(32)) | j.astype(np.uint64)     # one uint64 sort key per pair
    order = np.lexsort((rows[:, 2], key))
    key, d = key[order], rows[order, 2]
    first = np.ones(len(key), bool)
    first[1:] = key[1:] != key[:-1]
    return np.stack([i[order][first], j[order][first], d[first]], axis=1)
