"""Bit-sampling hash tables over permuted 64-bit codes: disjoint key windows, bucket rows, and their lookups."""

from __future__ import annotations

import math

import numpy as np

_U64 = np.uint64
SLOTS = 4          # entries of a bucket held in its row (one 32-byte read); the rest of a fuller bucket is expanded apart


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
    chunks = np.ascontiguousarray(codes, np.uint64).view(np.uint16).reshape(-1, 4)
    out = np.take(tables[0], chunks[:, 0])           # np.take: fancy indexing with a strided index is ~4x slower
    part = np.empty_like(out)
    for c in range(1, 4):
        np.take(tables[c], chunks[:, c], out=part)
        out |= part
    return out


def window_success(distance: int, bits: int, windows: int, code_bits: int = 64) -> float:
    """Chance that two codes ``distance`` bits apart agree on at least one of ``windows`` disjoint ``bits``-bit
    windows of a random bit permutation (inclusion-exclusion over the windows that agree)."""
    def clean(n_bits: int) -> float:
        return math.comb(code_bits - distance, n_bits) / math.comb(code_bits, n_bits)
    return sum((-1) ** (j + 1) * math.comb(windows, j) * clean(j * bits) for j in range(1, windows + 1))


class Table:
    """One key window (``bits`` bits from bit ``low`` up) of permuted index codes: per key a row of its first SLOTS
    codes (empty slots hold the key's complement, ``bits`` bits from any query of that key), the bucket's extent for
    fuller buckets, and the index position of every entry."""

    def __init__(self, permuted: np.ndarray, low: int, bits: int, slots: int = SLOTS):
        self.low, self.mask, self.slots = low, (1 << bits) - 1, slots
        key = (permuted >> _U64(low)) & _U64(self.mask)
        packed = np.sort((key << _U64(32)) | np.arange(len(permuted), dtype=np.uint64))   # one plain sort
        sorted_key = (packed >> _U64(32)).astype(np.intp)
        self.position = (packed & _U64(0xFFFFFFFF)).astype(np.intp)     # entry -> index position
        self.codes = permuted[self.position]                                # entry -> permuted code
        count = np.bincount(sorted_key, minlength=1 << bits)
        self.start = np.zeros((1 << bits) + 1, np.int64)
        np.cumsum(count, out=self.start[1:])
        self.count = count.astype(np.int64)
        rank = np.arange(len(permuted)) - self.start[sorted_key]
        filler = ~(np.arange(1 << bits, dtype=np.uint64) << _U64(low))
        self.rows = np.repeat(filler[:, None], slots, axis=1)
        first = rank < slots
        self.rows[sorted_key[first], rank[first]] = self.codes[first]
        self.fuller = (count > slots).astype(np.uint8)
        self.any_fuller = bool(self.fuller.any())

    def lookup(self, queries: np.ndarray, reach: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(query position, index position, distance) of every entry of each query's bucket within ``reach`` bits."""
        key = (queries.view(np.int64) >> self.low) & self.mask
        rows = np.take(self.rows, key, axis=0)
        rows ^= queries[:, None]
        dist = np.bitwise_count(rows)
        hit = np.flatnonzero(dist <= reach)
        q_at, slot = np.divmod(hit, self.slots)
        k = key[q_at]
        real = slot < self.count[k]                  # an empty slot is ``bits`` away: only reached when reach >= bits
        q_parts, e_parts, d_parts = [q_at[real]], [self.start[k[real]] + slot[real]], [dist.reshape(-1)[hit[real]]]
        if self.any_fuller:
            more = np.flatnonzero(np.take(self.fuller, key))
            if len(more):
                first = self.start[key[more]] + self.slots
                reps = self.start[key[more] + 1] - first
                q_rep = np.repeat(more, reps)
                entry = np.repeat(first, reps) + (np.arange(int(reps.sum())) - np.repeat(np.cumsum(reps) - reps, reps))
                d = np.bitwise_count(queries[q_rep] ^ self.codes[entry])
                near = d <= reach
                q_parts.append(q_rep[near])
                e_parts.append(entry[near])
                d_parts.append(d[near])
        entry = np.concatenate(e_parts)
        return np.concatenate(q_parts), self.position[entry], np.concatenate(d_parts).astype(np.int64)
