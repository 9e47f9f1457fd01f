"""Bit-sampling hash tables over permuted 64-bit codes: disjoint key windows, bucket rows, and their lookups."""

from __future__ import annotations

import math

import numpy as np

_U64 = np.uint64
# entries of a bucket held in its row (one 32-byte read of their first halves); the rest of a fuller bucket is
# expanded apart. With about 4 entries per key (plan_groups) 2% of buckets hold more
SLOTS = 8


def permutation_tables(rng: np.random.Generator) -> np.ndarray:
    """(4, 65536) uint64: OR-ing table[c][16-bit chunk c of a code] moves every bit of the code to a random place."""
    target = rng.permutation(64).astype(np.uint64)
    values = np.arange(1 << 16, dtype=np.uint64)
    tables = np.zeros((4, 1 << 16), np.uint64)
    for bit in range(64):
        chunk, within = divmod(bit, 16)
        tables[chunk] |= ((values >> _U64(within)) & _U64(1)) << target[bit]
    return tables


def permute(codes: np.ndarray, tables: np.ndarray) -> np.ndarray:
    """The codes with their bits moved by ``tables``: a bit permutation, so Hamming distances are kept."""
    codes = np.asarray(codes, np.uint64)
    low16 = _U64(0xFFFF)
    # each chunk as an intp index: np.take with uint16 (or int32) indices converts them at ~13 ns an element,
    # ten times the gather itself
    out = np.take(tables[0], (codes & low16).view(np.int64), mode="clip")
    for c in range(1, 4):
        out |= np.take(tables[c], ((codes >> _U64(16 * c)) & low16).view(np.int64), mode="clip")
    return out


def window_success(distance: int, bits: int, windows: int, code_bits: int = 64) -> float:
    """Chance that two codes ``distance`` bits apart agree on at least one of ``windows`` disjoint ``bits``-bit
    windows of a random bit permutation (inclusion-exclusion over the windows that agree)."""
    def clean(n_bits: int) -> float:
        return math.comb(code_bits - distance, n_bits) / math.comb(code_bits, n_bits)
    return sum((-1) ** (j + 1) * math.comb(windows, j) * clean(j * bits) for j in range(1, windows + 1))


def _rotated(permuted: np.ndarray, past_window: int) -> np.ndarray:
    """Each code rotated so that the 32 bits following a key window ending at bit ``past_window`` come first (in
    the low half): none of them is a key bit, so codes of one bucket differ there as much as anywhere."""
    shift = past_window % 64
    if shift == 0:
        return permuted
    return (permuted >> _U64(shift)) | (permuted << _U64(64 - shift))


class Table:
    """One key window (``bits`` bits from bit ``low`` up) of permuted index codes: per key a row of the low halves
    of its first SLOTS (rotated) codes and a row of their high halves, the bucket's extent, and the index position
    of every entry. A query reads its bucket's low halves (32 bytes: 8 MB of rows per table at 1,000,000 codes,
    where whole codes, 16 MB, made every read twice as slow); only the ~10% of queries with a low half within
    reach read the high halves."""

    def __init__(self, permuted: np.ndarray, low: int, bits: int):
        self.low, self.mask, self.past = low, (1 << bits) - 1, low + bits
        key = (permuted >> _U64(low)) & _U64(self.mask)
        packed = np.sort((key << _U64(32)) | np.arange(len(permuted), dtype=np.uint64))   # one plain sort
        sorted_key = (packed >> _U64(32)).astype(np.intp)
        self.position = (packed & _U64(0xFFFFFFFF)).astype(np.intp)     # entry -> index position
        self.codes = permuted[self.position]                                # entry -> permuted code
        count = np.bincount(sorted_key, minlength=1 << bits)
        self.start = np.zeros((1 << bits) + 1, np.int64)
        np.cumsum(count, out=self.start[1:])
        self.count = count
        rank = np.arange(len(permuted)) - self.start[sorted_key]
        first = rank < SLOTS
        halves = _rotated(self.codes[first], self.past).view(np.uint32).reshape(-1, 2)
        lo_at = 0 if np.little_endian else 1
        self.low_rows = np.zeros((1 << bits, SLOTS), np.uint32)
        self.high_rows = np.zeros((1 << bits, SLOTS), np.uint32)
        self.low_rows[sorted_key[first], rank[first]] = halves[:, lo_at]
        self.high_rows[sorted_key[first], rank[first]] = halves[:, 1 - lo_at]
        # an empty slot repeats its row's first entry, so it is within reach only where that entry is (a row of
        # zeros would be within reach of 2.5% of all queries for every empty slot)
        empty = np.arange(SLOTS) >= count[:, None]
        empty[count == 0] = False
        self.low_rows[empty] = np.broadcast_to(self.low_rows[:, :1], self.low_rows.shape)[empty]
        self.fuller = (count > SLOTS).astype(np.uint8)
        self.any_fuller = bool(self.fuller.any())

    def lookup(self, queries: np.ndarray, reach: int, work: "Workspace") -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(query position, index position, distance) of every entry of each query's bucket within ``reach`` bits."""
        n = len(queries)
        key = work.key[:n]
        np.right_shift(queries.view(np.int64), self.low, out=key)
        key &= self.mask
        rotated = _rotated(queries, self.past)
        rows = np.take(self.low_rows, key, axis=0, mode="clip")      # (with out=, np.take is 3x slower)
        rows ^= rotated.astype(np.uint32)[:, None]
        low_dist = np.bitwise_count(rows, out=work.dist[:n])
        near = np.less_equal(low_dist, reach, out=work.near[:n])
        q_at = np.flatnonzero(near.view(np.uint64))              # the 8 slots' answers as one word per query
        k = key[q_at]
        high = np.take(self.high_rows, k, axis=0, mode="clip")
        high ^= (rotated[q_at] >> _U64(32)).astype(np.uint32)[:, None]
        dist = np.bitwise_count(high)
        dist += low_dist[q_at]                                          # the two halves: the whole distance
        row, slot = np.nonzero(dist <= reach)
        real = slot < self.count[k[row]]                                # not an empty slot
        row, slot = row[real], slot[real]
        q_parts, e_parts, d_parts = [q_at[row]], [self.start[k[row]] + slot], [dist[row, slot]]
        if self.any_fuller:
            more = np.flatnonzero(np.take(self.fuller, key, mode="clip"))
            if len(more):
                first = self.start[key[more]] + SLOTS
                reps = self.start[key[more] + 1] - first
                # entry i of a bucket's run is first + (i - the run's start): one repeat of (first - start) and one
                # arange, in 32 bits (crowded buckets of drawings made these repeats a third of the search)
                total = int(reps.sum())
                narrow = np.int32 if len(self.codes) + total + len(queries) < 1 << 31 else np.int64
                reps = reps.astype(narrow)
                q_rep = np.repeat(more.astype(narrow), reps)
                entry = np.repeat((first - (np.cumsum(reps, dtype=np.int64) - reps)).astype(narrow), reps)
                entry += np.arange(total, dtype=narrow)
                d = np.bitwise_count(queries[q_rep] ^ self.codes[entry])
                close = d <= reach
                q_parts.append(q_rep[close])
                e_parts.append(entry[close])
                d_parts.append(d[close])
        entry = np.concatenate(e_parts)
        return np.concatenate(q_parts), self.position[entry], np.concatenate(d_parts).astype(np.int64)


class Workspace:
    """Buffers for the lookups of up to ``size`` queries, reused from slice to slice (fresh arrays of this size
    are fresh pages from the system each time)."""

    def __init__(self, size: int):
        self.key = np.empty(size, np.int64)
        self.dist = np.empty((size, SLOTS), np.uint8)
        self.near = np.empty((size, SLOTS), bool)
