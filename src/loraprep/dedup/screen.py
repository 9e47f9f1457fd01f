"""A cheap first look at candidate pairs: the crop their codes point at, correlated at 16x16, before the strict verification."""

from __future__ import annotations

from functools import lru_cache
from typing import Callable, Sequence

import numpy as np

from loraprep.dedup.descriptor import THUMB, Descriptor
from loraprep.dedup.hashes import PROBES, area_matrix

SIDE = 16              # the correlation grid
_READ = THUMB // 2     # the luma thumbnail halved first: a quarter of the products, the same 16x16 grid
_BOXES = ((0.0, 0.0, 0.0, 0.0),) + PROBES
# Under this correlation a pair is refused without the strict test. On the 2,000-image benchmark (radius-10 crop
# probes) 0.5 refused 11,228 of the 14,654 candidate pairs the strict test refuses; the accepted pairs it would
# refuse were crops keeping under 80% of a side (beyond the rule) read through the wrong probe
PLAUSIBLE = 0.5
_PAIR_SLICE = 1 << 16  # pairs read together: bounds the working set (a million pairs at once peaked at 4.2 GB)


@lru_cache(maxsize=1)
def _operators() -> tuple[np.ndarray, np.ndarray]:
    """(rows, cols) area operators (boxes, SIDE, _READ) reading every probe box (and the whole frame) at SIDE x SIDE."""
    rows = np.stack([area_matrix(SIDE, _READ, t * _READ, (1 - b) * _READ) for _, _, t, b in _BOXES])
    cols = np.stack([area_matrix(SIDE, _READ, l * _READ, (1 - r) * _READ) for l, r, _, _ in _BOXES])
    return rows, cols


def _normalised(x: np.ndarray) -> np.ndarray:
    flat = x.reshape(len(x), -1)
    flat = flat - flat.mean(axis=1, keepdims=True)
    return flat / (np.sqrt((flat * flat).sum(axis=1, keepdims=True)) + 1e-3)


def _best_box(big: np.ndarray, small: np.ndarray) -> np.ndarray:
    """Index of the probe (0: the whole frame) of each ``big`` code row nearest to the whole-frame code of ``small``."""
    return np.argmin(np.bitwise_count(big ^ small[:, :1]), axis=1)


class Screen:
    """The screen over a fixed list of descriptors: each picture is read once (halved luma, normalised 16x16
    whole frame, codes), each pair then costs one crop and a few dot products."""

    def __init__(self, descriptors: Sequence[Descriptor]):
        self._descriptors = descriptors
        self._at: dict[int, int] = {}          # descriptor position -> row of the arrays below
        self._luma = np.zeros((0, _READ, _READ), np.float32)
        self._codes = np.zeros((0, len(_BOXES)), np.uint64)
        self._frames = (np.zeros((0, SIDE * SIDE), np.float32),) * 2

    def _rows(self, positions: np.ndarray) -> np.ndarray:
        new = [int(p) for p in dict.fromkeys(positions.tolist()) if int(p) not in self._at]
        if new:
            first = len(self._at)
            for offset, p in enumerate(new):
                self._at[p] = first + offset
            luma = np.stack([self._descriptors[p].luma for p in new]).astype(np.float32)
            luma = luma.reshape(len(new), _READ, 2, _READ, 2).mean(axis=(2, 4))
            rows, cols = _operators()
            whole = _normalised(rows[0] @ luma @ cols[0].T).reshape(-1, SIDE, SIDE)
            mirrored = np.ascontiguousarray(whole[..., ::-1]).reshape(-1, SIDE * SIDE)
            self._luma = np.concatenate([self._luma, luma])
            self._codes = np.concatenate([self._codes, np.stack([self._descriptors[p].codes for p in new])])
            self._frames = (np.concatenate([self._frames[0], whole.reshape(-1, SIDE * SIDE)]),
                            np.concatenate([self._frames[1], mirrored]))
        return np.array([self._at[int(p)] for p in positions], np.int64)

    def correlations(self, keepers: np.ndarray, members: np.ndarray) -> np.ndarray:
        """Per pair of positions, the best normalised correlation (-1..1) between one picture read at the box its
        codes point to (either way round) and the other's whole frame, plain or mirrored (the codes do not see a
        mirror)."""
        if not len(keepers):
            return np.zeros(0, np.float32)
        k, m = self._rows(np.asarray(keepers)), self._rows(np.asarray(members))
        best = np.full(len(k), -1.0, np.float32)
        for at in range(0, len(k), _PAIR_SLICE):
            part = slice(at, at + _PAIR_SLICE)
            for big, small in ((k[part], m[part]), (m[part], k[part])):
                box = _best_box(self._codes[big], self._codes[small])
                # one picture read at one box serves every pair that asks for it: at 20,000 images the 2.1 million
                # readings of a slice of a million pairs are 0.6 million distinct ones
                read, which = np.unique(big * len(_BOXES) + box, return_inverse=True)
                crops = _normalised(self._crops(read // len(_BOXES), read % len(_BOXES)))[which.reshape(-1)]
                for frame in self._frames:
                    best[part] = np.maximum(best[part], np.einsum("pi,pi->p", crops, frame[small]))
        return best

    def _crops(self, items: np.ndarray, box: np.ndarray) -> np.ndarray:
        """(n, SIDE, SIDE): each item's luma read at its box; the items of one box in two matrix products (a
        product per pair of 16x24 matrices cost the screen two thirds of its time at 20,000 images)."""
        rows, cols = _operators()
        out = np.empty((len(items), SIDE, SIDE), np.float32)
        for b in np.unique(box):
            at = np.flatnonzero(box == b)
            right = np.tensordot(self._luma[items[at]], cols[b], axes=([2], [1]))        # (k, _READ, SIDE)
            out[at] = np.tensordot(rows[b], right, axes=([1], [1])).transpose(1, 0, 2)  # (k, SIDE, SIDE)
        return out

    def plausible(self, keepers: Sequence[int], members: Sequence[int],
                  correlate: Callable[[np.ndarray, np.ndarray], np.ndarray] | None = None) -> np.ndarray:
        """True for the pairs (of positions) worth the strict verification. Cut-outs (their white background is not
        in the other picture) and low-information pictures (compared pixel for pixel, cheaply) always are.
        ``correlate`` computes what self.correlations does (find_pool spreads it over processes)."""
        d = self._descriptors
        exempt = np.array([d[k].alpha is not None or d[m].alpha is not None or d[k].low_info or d[m].low_info
                           for k, m in zip(keepers, members)], bool)
        out = exempt.copy()
        rest = np.flatnonzero(~exempt)
        if len(rest):
            correlate = correlate or self.correlations
            out[rest] = correlate(np.asarray(keepers)[rest], np.asarray(members)[rest]) >= PLAUSIBLE
        return out
