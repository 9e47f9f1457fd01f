"""Strict verification of candidate pairs on the thumbnails: crop/mirror alignment, brightness fit, changed area."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from loraprep.dedup.descriptor import CHROMA, THUMB, Descriptor
from loraprep.dedup.hashes import area_matrix

CUTS = np.round(np.arange(0.0, 0.145, 0.02), 3)      # crop per side tried by the alignment: 0..14%
_SIDE = 32                                             # comparison grid
_BASE_TOL = 18.0                                       # luma difference (0..255) that counts as changed
_EDGE_TOL = 0.6                                        # plus this share of the local contrast (misaligned edges)
_CHROMA_TOL = 14.0


@dataclass(frozen=True)
class Verdict:
    """Outcome of comparing a member with its keeper: distance is % of the picture that changed."""

    distance: float
    mirrored: bool
    cropped: bool
    cutout: bool


@lru_cache(maxsize=4)
def _hypotheses(side_in: int, side_out: int):
    """(boxes (H, 2) of (cut_lo, cut_hi), operators (H, side_out, side_in))."""
    boxes = np.array([(a, b) for a in CUTS for b in CUTS], np.float32)
    ops = np.stack([area_matrix(side_out, side_in, a * side_in, (1 - b) * side_in) for a, b in boxes])
    return boxes, ops


def _local_range(img: np.ndarray) -> np.ndarray:
    """max - min over each pixel's 3x3 neighbourhood (edges clamp)."""
    hi, lo = img.copy(), img.copy()
    for axis in (0, 1):
        for src, dst in ((slice(None, -1), slice(1, None)), (slice(1, None), slice(None, -1))):
            a = [slice(None)] * 2
            b = [slice(None)] * 2
            a[axis], b[axis] = dst, src
            hi_src, lo_src = hi[tuple(b)].copy(), lo[tuple(b)].copy()
            np.maximum(hi[tuple(a)], hi_src, out=hi[tuple(a)])
            np.minimum(lo[tuple(a)], lo_src, out=lo[tuple(a)])
    return hi - lo


def _fit(source: np.ndarray, target: np.ndarray, weight: np.ndarray | None = None) -> np.ndarray:
    """``source`` mapped by the least-squares a*x + b onto ``target`` (brightness/contrast changes)."""
    w = np.ones_like(source) if weight is None else weight
    sw = w.sum() + 1e-6
    ms, mt = (w * source).sum() / sw, (w * target).sum() / sw
    var = (w * (source - ms) ** 2).sum() / sw
    if var < 1.0:
        return source - ms + mt
    a = (w * (source - ms) * (target - mt)).sum() / sw / var
    a = float(np.clip(a, 0.75, 1.33))
    return a * (source - ms) + mt


def _changed(big: np.ndarray, small: np.ndarray, weight: np.ndarray | None = None) -> float:
    """Share (0..1) of pixels (weighted) where ``small`` differs from ``big`` beyond noise and edge slack."""
    fitted = _fit(big, small, weight)
    values = np.sort(small if weight is None else small[weight > 0], axis=None)
    lo, hi = values[len(values) // 50], values[len(values) - 1 - len(values) // 50]
    base_tol = min(_BASE_TOL, 4.0 + 0.1 * float(hi - lo))      # low-contrast pictures get a finer tolerance
    # an edge that moved a little exists in both pictures; an edge present in only one is a change
    tol = base_tol + _EDGE_TOL * np.minimum(_local_range(fitted), _local_range(small))
    bad = (np.abs(fitted - small) > tol).astype(np.float32)
    if weight is None:
        return float(bad.mean())
    return float((bad * weight).sum() / (weight.sum() + 1e-6))


def _resample(luma: np.ndarray, cut_x: tuple, cut_y: tuple, side: int) -> np.ndarray:
    n = luma.shape[0]
    ry = area_matrix(side, n, cut_y[0] * n, (1 - cut_y[1]) * n)
    rx = area_matrix(side, n, cut_x[0] * n, (1 - cut_x[1]) * n)
    return ry @ luma @ rx.T


def _alignment(big: np.ndarray, small: np.ndarray) -> tuple[float, tuple, tuple]:
    """(profile mismatch, x cut, y cut) of ``small`` read as a crop (possibly none) of ``big``: cheap, 1-D."""
    boxes, ops = _hypotheses(THUMB, THUMB)
    total, cuts = 0.0, []
    for axis in (0, 1):
        cand = ops @ big.mean(axis=axis)
        cand = (cand - cand.mean(axis=1, keepdims=True)) / (cand.std(axis=1, keepdims=True) + 1e-3)
        target = small.mean(axis=axis)
        target = (target - target.mean()) / (target.std() + 1e-3)
        err = ((cand - target) ** 2).sum(axis=1)
        best = int(np.argmin(err))
        total += float(err[best])
        cuts.append(tuple(boxes[best]))
    return total, cuts[0], cuts[1]


def _changed_aligned(big, small, cut_x, cut_y) -> float:
    """Changed share (luma and chroma) of ``small`` against the ``cut`` region of ``big``; each is [y, cb, cr]."""
    a = _resample(big[0], cut_x, cut_y, _SIDE)
    b = _resample(small[0], (0, 0), (0, 0), _SIDE)
    luma = _changed(a, b)
    ca = np.stack([_resample(c, cut_x, cut_y, CHROMA) for c in big[1:]])
    cb = np.stack(small[1:])
    diff = np.abs((ca - ca.mean(axis=(1, 2), keepdims=True)) - (cb - cb.mean(axis=(1, 2), keepdims=True))).max(axis=0)
    edges = np.minimum(np.max([_local_range(c) for c in ca], axis=0), np.max([_local_range(c) for c in cb], axis=0))
    chroma = float((diff > _CHROMA_TOL + 0.25 * edges).mean())
    return max(luma, chroma)


def compare(keeper: Descriptor, member: Descriptor) -> Verdict:
    """How different ``member`` is from ``keeper`` after undoing crop, mirror, brightness and cut-out."""
    if (keeper.alpha is None) != (member.alpha is None):
        return _compare_cutout(keeper, member)
    k = [keeper.luma.astype(np.float32), keeper.cb.astype(np.float32), keeper.cr.astype(np.float32)]
    plain = [x.astype(np.float32) for x in (member.luma, member.cb, member.cr)]
    options = []
    for mirrored in (False, True):
        m = [x[:, ::-1] for x in plain] if mirrored else plain
        for big, small in ((k, m), (m, k)):
            mismatch, cut_x, cut_y = _alignment(big[0], small[0])
            options.append((mismatch, mirrored, big, small, cut_x, cut_y))
    options.sort(key=lambda o: o[0])
    best = (2.0, False, False)
    for _, mirrored, big, small, cut_x, cut_y in options[:2]:      # the two best alignments get the full test
        score = _changed_aligned(big, small, cut_x, cut_y)
        if score < best[0]:
            best = (score, mirrored, bool(max(cut_x + cut_y) > 0))
    return Verdict(round(100 * best[0], 1), best[1], best[2], False)


def _compare_cutout(keeper: Descriptor, member: Descriptor) -> Verdict:
    """Compare only where the cut-out is opaque: the rest of the other picture is its background."""
    cut, full = (member, keeper) if member.alpha is not None else (keeper, member)
    opaque = cut.alpha.astype(np.float32) / 255.0
    solid = (opaque > 0.98).astype(np.float32)
    core = (_erode(solid) > 0.5).astype(np.float32)
    if core.sum() < 24 or cut.luma[core > 0].std() < 3.0:    # too little opaque detail to tell pictures apart
        return Verdict(100.0, False, False, True)
    best = (2.0, False)
    for mirrored in (False, True):
        luma = full.luma.astype(np.float32)
        if mirrored:
            luma = luma[:, ::-1]
        score = _changed(luma, cut.luma.astype(np.float32), core)
        if score < best[0]:
            best = (score, mirrored)
    return Verdict(round(100 * best[0], 1), best[1], False, True)


def _erode(mask: np.ndarray) -> np.ndarray:
    pad = np.pad(mask, 1, mode="constant")
    out = mask.copy()
    for dy in (-1, 0, 1):
        for dx in (-1, 0, 1):
            out = np.minimum(out, pad[1 + dy: 1 + dy + mask.shape[0], 1 + dx: 1 + dx + mask.shape[1]])
    return out
