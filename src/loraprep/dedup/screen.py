"""A cheap first look at candidate pairs before the strict verification: the crop their codes point at, correlated at 16x16; a cut-out's solid pixels against the same pixels of the other picture."""

from __future__ import annotations

from functools import lru_cache
from typing import Callable, Sequence

import numpy as np

from loraprep.dedup.cutout_verify import SOLID
from loraprep.dedup.descriptor import THUMB, Descriptor
from loraprep.dedup.hashes import PROBES, area_matrix

SIDE = 16              # the correlation grid
_READ = THUMB // 2     # the luma thumbnail halved first: a quarter of the products, the same 16x16 grid
_BOXES = ((0.0, 0.0, 0.0, 0.0),) + PROBES
# Under this correlation a pair is refused without the strict test. At 20,000 benchmark images (dedup_command's
# set) 0.6 refused 55,000 more of the pairs the strict test refuses than 0.5 did (160,244 -> 104,799 verified, the
# find 37.6 -> 27.8 s) and one pair it accepts, a corner crop of a drawing at 0.53 (10,360 accepted; 0.7 lost 3,
# 0.8 lost 24: line drawings read through a probe box a few pixels off correlate 0.7-0.8); recall 0.9839 against
# 0.9840 on benchmarks/dedup_find.py --n 20000, the same at 2,000
PLAUSIBLE = 0.6
# A cut-out copies its picture's pixels where it is solid, unmoved (cutout_verify.py): on that set the 693 cut-out
# pairs the strict test accepts correlate there 0.974 or more, and 0.8 refused 20,315 of the 21,784 it refuses
CUTOUT_PLAUSIBLE = 0.8
_CUT_MIN_PIXELS = 8            # fewer solid pixels than this at the screen's 24x24, or
_CUT_MIN_SPREAD = 8.0          # a luma spread (std) under this inside them: too little to correlate, always verified
_PAIR_SLICE = 1 << 16  # pairs read together: bounds the working set (a million pairs at once peaked at 4.2 GB)
_CUT_SLICE = 1 << 13   # cut-out pairs read together: each holds a few 24x24 planes (19,000 at once added 350 MB)


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
        self._row_of = np.full(len(descriptors), -1, np.int64)     # descriptor position -> row of the arrays below
        self._position = np.zeros(0, np.int64)  # row -> descriptor position
        self._alpha = np.zeros(0, bool)        # per row: a cut-out
        self._low_info = np.zeros(0, bool)     # per row: a low-information picture
        self._luma = np.zeros((0, _READ, _READ), np.float32)
        self._codes = np.zeros((0, len(_BOXES)), np.uint64)
        self._frames = (np.zeros((0, SIDE * SIDE), np.float32),) * 2

    def _rows(self, positions: np.ndarray) -> np.ndarray:
        positions = np.asarray(positions, np.int64)
        new = np.unique(positions[self._row_of[positions] < 0]).tolist()
        if new:
            self._row_of[new] = np.arange(len(self._position), len(self._position) + len(new))
            self._position = np.concatenate([self._position, new])
            self._alpha = np.concatenate([self._alpha, [self._descriptors[p].alpha is not None for p in new]])
            self._low_info = np.concatenate([self._low_info, [self._descriptors[p].low_info for p in new]])
            luma = np.stack([self._descriptors[p].luma for p in new]).astype(np.float32)
            luma = luma.reshape(len(new), _READ, 2, _READ, 2).mean(axis=(2, 4))
            rows, cols = _operators()
            whole = _normalised(rows[0] @ luma @ cols[0].T).reshape(-1, SIDE, SIDE)
            mirrored = np.ascontiguousarray(whole[..., ::-1]).reshape(-1, SIDE * SIDE)
            self._luma = np.concatenate([self._luma, luma])
            self._codes = np.concatenate([self._codes, np.stack([self._descriptors[p].codes for p in new])])
            self._frames = (np.concatenate([self._frames[0], whole.reshape(-1, SIDE * SIDE)]),
                            np.concatenate([self._frames[1], mirrored]))
        return self._row_of[positions]

    def correlations(self, keepers: np.ndarray, members: np.ndarray) -> np.ndarray:
        """Per pair of positions, the best normalised correlation (-1..1) between one picture read at the box its
        codes point to (either way round) and the other's whole frame, plain or mirrored (the codes do not see a
        mirror)."""
        return self._correlations(self._rows(keepers), self._rows(members))

    def _correlations(self, k: np.ndarray, m: np.ndarray) -> np.ndarray:
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

    def cutout_correlations(self, cuts: np.ndarray, pictures: np.ndarray) -> np.ndarray:
        """Per pair of positions (a cut-out, an opaque picture), the correlation (-1..1) of the cut-out's solid
        pixels with the same pixels of the picture, plain or mirrored, whichever is higher; 1.0 where the cut-out
        has too few solid pixels, or too flat ones, for a correlation to mean anything."""
        return self._cutout_correlations(self._rows(cuts), self._rows(pictures))

    def _cutout_correlations(self, c: np.ndarray, p: np.ndarray) -> np.ndarray:
        out = np.ones(len(c), np.float32)
        for at in range(0, len(c), _CUT_SLICE):
            part = slice(at, at + _CUT_SLICE)
            # a cut-out meets a few dozen pictures: its solid mask is read once
            distinct, which = np.unique(c[part], return_inverse=True)
            solid = self._solid(distinct)[which.reshape(-1)]
            count = solid.sum(axis=(1, 2))
            luma = self._luma[c[part]]
            inside = (solid * luma).sum(axis=(1, 2)) / np.maximum(count, 1)
            centred = (luma - inside[:, None, None]) * solid
            energy = (centred * centred).sum(axis=(1, 2))
            best = np.full(len(luma), -1.0, np.float32)
            for other in (self._luma[p[part]], self._luma[p[part]][..., ::-1]):
                mean = (solid * other).sum(axis=(1, 2)) / np.maximum(count, 1)
                theirs = (other - mean[:, None, None]) * solid
                r = (centred * theirs).sum(axis=(1, 2)) / (np.sqrt(energy * (theirs * theirs).sum(axis=(1, 2))) + 1e-3)
                best = np.maximum(best, r)
            unreadable = (count < _CUT_MIN_PIXELS) | (energy < _CUT_MIN_SPREAD ** 2 * np.maximum(count, 1))
            out[part] = np.where(unreadable, 1.0, best)
        return out

    def _solid(self, rows: np.ndarray) -> np.ndarray:
        """(n, _READ, _READ) 0/1 float32: where each cut-out (a row) is solid, read at the screen's halved side."""
        alpha = np.stack([self._descriptors[p].alpha for p in self._position[rows].tolist()]).astype(np.float32)
        halved = alpha.reshape(len(rows), _READ, 2, _READ, 2).mean(axis=(2, 4))
        return (halved > SOLID * 255).astype(np.float32)      # alpha over SOLID: a pixel fully of the cut-out

    def passes(self, keepers: np.ndarray, members: np.ndarray) -> np.ndarray:
        """True for the pairs (of positions) worth the strict verification. Low-information pictures (compared
        pixel for pixel, cheaply) and pairs of two cut-outs always are; a cut-out and a picture when the
        cut-out's solid pixels correlate with the picture's (cutout_correlations); two pictures when they
        correlate (correlations)."""
        k, m = self._rows(keepers), self._rows(members)
        kind = np.where(self._low_info[k] | self._low_info[m], _LOW_INFO,
                        self._alpha[k].astype(np.int8) + 2 * self._alpha[m].astype(np.int8))
        out = (kind == _LOW_INFO) | (kind == _BOTH_CUT)
        at = np.flatnonzero(kind == _KEEPER_CUT)
        out[at] = self._cutout_correlations(k[at], m[at]) >= CUTOUT_PLAUSIBLE
        at = np.flatnonzero(kind == _MEMBER_CUT)
        out[at] = self._cutout_correlations(m[at], k[at]) >= CUTOUT_PLAUSIBLE
        at = np.flatnonzero(kind == _PICTURES)
        out[at] = self._correlations(k[at], m[at]) >= PLAUSIBLE
        return out

    def plausible(self, keepers: Sequence[int], members: Sequence[int],
                  spread: Callable[[np.ndarray, np.ndarray], np.ndarray] | None = None) -> np.ndarray:
        """passes() of the pairs; ``spread`` computes the same over several processes (find_pool)."""
        return (spread or self.passes)(np.asarray(keepers, np.int64), np.asarray(members, np.int64))


# what a pair is, for the screen: two opaque pictures, a cut-out (keeper or member) and a picture, two cut-outs,
# or a low-information picture on either side
_PICTURES, _KEEPER_CUT, _MEMBER_CUT, _BOTH_CUT, _LOW_INFO = 0, 1, 2, 3, 4
