"""The rule's check after verification: a pair better read as a crop keeping under 85% of a dimension is two pictures."""

from __future__ import annotations

from functools import lru_cache

import numpy as np

from loraprep.dedup import verify as v
from loraprep.dedup.descriptor import THUMB
from loraprep.dedup.hashes import area_matrix

# ... and a crop beyond the rule wins only when its best mean difference is under this share of the best
# within the rule (measured: 21-24% crops of textures and drawings 0.12-0.88, true benchmark crops 0.91 up)
_CLEARER = 0.9


@lru_cache(maxsize=1)
def _wide_cuts() -> list[tuple[int, int]]:
    """Every (low, high) cut of one axis in whole percent, up to twice the rule's total."""
    most = round(200 * v.MAX_CUT)
    return [(a, b) for a in range(most + 1) for b in range(most + 1) if a + b <= most]


@lru_cache(maxsize=1)
def _wide_boxes():
    """(cut totals (W,), operators (W, THUMB, THUMB)) of _wide_cuts(), for the profiles."""
    cuts = np.array(_wide_cuts(), np.float32) / 100
    ops = np.stack([area_matrix(THUMB, THUMB, a * THUMB, (1 - b) * THUMB) for a, b in cuts])
    return cuts.sum(axis=1), ops


@lru_cache(maxsize=1)
def _wide_grid_operators() -> np.ndarray:
    """(W, comparison grid, THUMB): the crops of _wide_cuts() resampled to the comparison grid."""
    return np.stack([area_matrix(v._SIDE, THUMB, a / 100 * THUMB, (1 - b / 100) * THUMB) for a, b in _wide_cuts()])


@lru_cache(maxsize=1)
def _wide_coarse() -> np.ndarray:
    """Indices of the _wide_cuts() on 2% steps."""
    return np.array([i for i, (a, b) in enumerate(_wide_cuts()) if a % 2 == 0 and b % 2 == 0])


@lru_cache(maxsize=1)
def _wide_neighbours() -> np.ndarray:
    """(W, 9): every _wide_cuts() index with those 1% away on each side (itself where none)."""
    at = {cut: i for i, cut in enumerate(_wide_cuts())}
    return np.array([[at.get((a + da, b + db), i) for da in (-1, 0, 1) for db in (-1, 0, 1)]
                     for i, (a, b) in enumerate(_wide_cuts())])


def beyond_rule(s: "v._Sides", big: np.ndarray, small: np.ndarray, hx: np.ndarray, hy: np.ndarray) -> np.ndarray:
    """True where the small side is better read as a crop of the big one that keeps under 85% of a dimension
    (minus the estimate's slack) than as the crop within the rule that (hx, hy) found: another picture.

    The changed-share test alone cannot tell: on a picture of a few large flat shapes, a crop of 21% read as
    one of 15% only moves each edge about a pixel of the comparison grid, which its edge tolerance forgives.
    The profiles (up to twice the rule's cut per axis) say which pairs may be such a crop, and which axis; the
    pixels decide: the axis' crops on 2% steps then 1% around the best, the mean difference after the brightness
    fit, the best beyond the rule against the best within it (on a photo with little profile structure the
    profile estimate alone wanders to 30% while the pair is a 13% crop)."""
    totals, wide = _wide_boxes()
    limit = v.MAX_CUT + v._CUT_SLACK + 1e-6
    out = np.zeros(len(big), bool)
    for at in range(0, len(big), 64):                                # (64, W, THUMB) floats per pass
        part = np.arange(at, min(at + 64, len(big)))
        err_x, err_y = v._profile_fit(s, big[part], small[part], hx[part], hy[part], wide)
        wx, wy = np.argmin(err_x, axis=1), np.argmin(err_y, axis=1)
        far_x, far_y = totals[wx] > limit, totals[wy] > limit
        rows = np.flatnonzero(far_x | far_y)
        if not len(rows):
            continue
        r = part[rows]
        inside, outside = np.full(len(r), np.inf), np.full(len(r), np.inf)
        for far, axis in ((far_x[rows], 0), (far_y[rows], 1)):
            hit = np.flatnonzero(far)
            if len(hit):
                ins, outs = _axis_differences(s, big[r[hit]], small[r[hit]], hx[r[hit]], hy[r[hit]], axis)
                inside[hit], outside[hit] = np.minimum(inside[hit], ins), np.minimum(outside[hit], outs)
        out[r] = outside < _CLEARER * inside
    return out


def _axis_differences(s: "v._Sides", big: np.ndarray, small: np.ndarray, hx: np.ndarray, hy: np.ndarray, axis: int):
    """(best within the rule, best beyond it): the smallest _mean_difference over the crops of one axis, 2% steps up
    to twice the rule's cut, the other axis held at the test's choice (hx, hy)."""
    totals, _ = _wide_boxes()
    coarse = _wide_coarse()
    wide_grid = _wide_grid_operators()[coarse]
    _, grid_ops = v._hypotheses(THUMB, v._SIDE)
    n, c = len(big), len(coarse)
    moving = np.tile(wide_grid, (n, 1, 1))
    held = np.repeat(grid_ops[hy if axis == 0 else hx], c, axis=0)
    ops_x, ops_y = (moving, held) if axis == 0 else (held, moving)
    diff = _mean_difference(s, np.repeat(big, c), np.repeat(small, c), ops_x, ops_y).reshape(n, c)
    within = totals <= v.MAX_CUT + v._CUT_SLACK + 1e-6
    best = []
    for side in (within, ~within):
        # the best 2% crop on this side of the rule, then its 1% neighbours on the same side
        start = coarse[np.argmin(np.where(side[coarse], diff, np.inf), axis=1)]
        near = _wide_neighbours()[start]                                    # (n, 9)
        k = near.shape[1]
        moving = _wide_grid_operators()[near.reshape(-1)]
        held = np.repeat(grid_ops[hy if axis == 0 else hx], k, axis=0)
        ops_x, ops_y = (moving, held) if axis == 0 else (held, moving)
        fine = _mean_difference(s, np.repeat(big, k), np.repeat(small, k), ops_x, ops_y).reshape(n, k)
        best.append(np.where(side[near], fine, np.inf).min(axis=1))
    return best[0], best[1]


def _mean_difference(s: "v._Sides", big: np.ndarray, small: np.ndarray, ops_x: np.ndarray, ops_y: np.ndarray) -> np.ndarray:
    """Mean luma difference of every ``small`` side from the crop (ops_x, ops_y) of its ``big`` side, after the brightness fit."""
    s.need_detail(small)
    grid = ops_y @ s.luma[big] @ ops_x.transpose(0, 2, 1)
    return np.abs(v._fit(grid, s.grid[small]) - s.grid[small]).mean(axis=(1, 2))
