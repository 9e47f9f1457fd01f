"""Sub-quadratic candidate search on 64-bit codes: bit-sampling LSH tables, multi-probe queries, incremental."""

from __future__ import annotations

import math

import numpy as np

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


def _key_tables(rng: np.random.Generator, bits: int) -> np.ndarray:
    """(4, 65536) uint32 tables: OR-ing table[c][16-bit chunk c] extracts ``bits`` randomly chosen bits."""
    chosen = rng.choice(64, size=bits, replace=False)
    tables = np.zeros((4, 1 << 16), np.uint32)
    values = np.arange(1 << 16, dtype=np.uint32)
    for out_bit, bit in enumerate(chosen):
        chunk, within = divmod(int(bit), 16)
        tables[chunk] |= ((values >> np.uint32(within)) & np.uint32(1)) << np.uint32(out_bit)
    return tables


def _keys(code_chunks: np.ndarray, tables: np.ndarray) -> np.ndarray:
    key = tables[0][code_chunks[:, 0]]
    for c in range(1, 4):
        key |= tables[c][code_chunks[:, c]]
    return key


_QUERY_SLICE = 1 << 22        # query codes per pass of one table: bounds its working set to ~150 MB


class CodeIndex:
    """Indexed codes (one per item) and probe codes (several per item); finds item pairs close in Hamming distance.

    probes[:, 0] is the item's own code, matched within ``radius`` bits; the other probes (crop
    hypotheses) are matched within ``probe_radius``. A pair (i, j) is a candidate when a probe of i
    is close to j's code or the other way round. All probes of all items are one query set joined
    with one set of LSH tables (one index build per table). Items are appended with ``add``;
    ``pairs(since=k)`` returns only the pairs that touch an item added at position >= k, so adding
    10 items costs 10 items' queries, not N.
    """

    def __init__(self, radius: int = 8, probe_radius: int = 8, recall: float = 0.95, probe_recall: float = 0.95,
                 seed: int = 0, probe_keep: int | None = None, plan_radius: int = 64):
        self.radius = radius                  # whole frame against whole frame
        self.probe_radius = probe_radius      # crop probes against whole frames
        self.recall = recall
        # per probe: the probes overlap (a crop is usually within reach of two or more), and the probes'
        # tables cost (number of probes) times as much as the whole frame's: 40 tables instead of 74 at 1,000,000
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

    def pairs(self, since: int = 0) -> np.ndarray:
        """(m, 3) int64 rows (i, j, distance), i < j, distance = smallest probe-to-code Hamming distance."""
        if not self._codes:
            return np.zeros((0, 3), np.int64)
        codes = np.concatenate(self._codes)
        probes = np.concatenate(self._probes, axis=0)
        n = len(codes)
        if n < 2 or since >= n:
            return np.zeros((0, 3), np.int64)
        everyone = np.arange(n)
        new = everyone[since:]
        found = [self._join(codes, probes, everyone, new)]                      # new items' probes
        if since > 0:                                                           # old items' probes
            found.append(self._join(codes, probes, new, everyone[:since]))
        return _merge(np.concatenate(found))

    def _join(self, codes, probes, index_ids, query_ids) -> np.ndarray:
        """Pairs from the whole-frame codes and from the crop probes, each with its own radius and tables."""
        found = [self._join_one(codes, probes[:, :1], index_ids, query_ids, self.radius, self.recall)]
        if probes.shape[1] > 1:
            found.append(self._join_one(codes, probes[:, 1:], index_ids, query_ids, self.probe_radius, self.probe_recall,
                                        keep=self.probe_keep))
        return _merge(np.concatenate(found))

    def _join_one(self, codes, probes, index_ids, query_ids, radius: int, recall: float,
                  keep: int | None = None) -> np.ndarray:
        n_probe = probes.shape[1]
        bits, n_tables = plan_tables(len(index_ids), min(radius, self.plan_radius), recall)
        rng = np.random.default_rng(self.seed + radius)
        index_codes = codes[index_ids]
        index_chunks = index_codes.view(np.uint16).reshape(-1, 4)
        q_flat = np.ascontiguousarray(probes[query_ids]).reshape(-1)
        q_chunks = q_flat.view(np.uint16).reshape(-1, 4)
        key_tables = [_key_tables(rng, bits) for _ in range(n_tables)]

        def one_table(tables):
            ikeys = _keys(index_chunks, tables)
            order = np.argsort(ikeys)                                                 # SIMD sort; order inside a bucket is irrelevant
            bucket_codes = index_codes[order]                                         # codes in bucket order: one gather per candidate
            bucket_size = np.bincount(ikeys, minlength=1 << bits).astype(np.int32)   # direct addressing
            bucket_start = np.cumsum(bucket_size, dtype=np.int64) - bucket_size
            # the queries a slice at a time: the per-query arrays of 26,000,000 probes were ~1 GB per table
            found = [r for at in range(0, len(q_flat), _QUERY_SLICE)
                     if (r := query(tables, order, bucket_codes, bucket_size, bucket_start, at)) is not None]
            return np.concatenate(found) if found else None

        def query(tables, order, bucket_codes, bucket_size, bucket_start, start):
            q_part = slice(start, start + _QUERY_SLICE)
            qkeys = _keys(q_chunks[q_part], tables)
            q_at, at = _bucket_candidates(qkeys, bucket_size, bucket_start)
            q_at += start
            dist = np.bitwise_count(q_flat[q_at] ^ bucket_codes[at])
            keep = np.flatnonzero(dist <= radius)
            a, b = query_ids[q_at[keep] // n_probe], index_ids[order[at[keep]]]
            other = a != b
            if not other.any():
                return None
            return np.stack([a[other], b[other], dist[keep][other].astype(np.int64)], axis=1)

        if len(q_flat) * n_tables > 4_000_000:            # numpy releases the GIL: tables run side by side
            out = [r for r in side_by_side(one_table, key_tables) if r is not None]
        else:
            out = [r for r in map(one_table, key_tables) if r is not None]
        if not out:
            return np.zeros((0, 3), np.int64)
        rows = np.concatenate(out)
        return _merge(rows if keep is None else nearest_per_query(rows, keep))


_RANKS = 3    # bucket entries taken rank by rank before the rest of the large buckets are expanded at once


def _bucket_candidates(qkeys: np.ndarray, bucket_size: np.ndarray, bucket_start: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(query position, bucket-order position) for every query against every entry of its key's bucket.

    At about one entry per key most buckets hold 0-3 entries: the first ranks are taken a rank at a time
    on shrinking subsets (no per-candidate repeat, cumsum and arange over the whole slice), and only the
    queries whose buckets hold more are expanded with np.repeat."""
    count = bucket_size[qkeys]
    hit = np.flatnonzero(count)
    first = bucket_start[qkeys[hit]]
    reps = count[hit]
    q_parts, at_parts = [hit], [first]
    for rank in range(1, _RANKS):
        more = np.flatnonzero(reps > rank)
        if not len(more):
            break
        hit, first, reps = hit[more], first[more], reps[more]
        q_parts.append(hit)
        at_parts.append(first + rank)
    else:
        more = np.flatnonzero(reps > _RANKS)
        if len(more):
            hit, first, reps = hit[more], first[more] + _RANKS, (reps[more] - _RANKS).astype(np.int64)
            q_parts.append(np.repeat(hit, reps))
            offsets = np.arange(int(reps.sum())) - np.repeat(np.cumsum(reps) - reps, reps)
            at_parts.append(np.repeat(first, reps) + offsets)
    if len(q_parts) == 1:
        return q_parts[0], at_parts[0]
    return np.concatenate(q_parts), np.concatenate(at_parts)


def nearest_per_query(rows: np.ndarray, keep: int) -> np.ndarray:
    """Of directed rows (query item, index item, distance), each query item's ``keep`` nearest distinct
    index items (ties broken by the lower index id, so the result does not depend on row order)."""
    if not len(rows):
        return rows.reshape(0, 3)
    order = np.lexsort((rows[:, 1], rows[:, 2], rows[:, 0]))              # by query, distance, index item
    rows = rows[order]
    pair = (rows[:, 0].astype(np.uint64) << np.uint64(32)) | rows[:, 1].astype(np.uint64)
    _, first = np.unique(pair, return_index=True)                         # a pair's nearest row
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
