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
_CLEAR_MATCH = 0.01                                    # 1% changed: far under every preset, no need to try another alignment


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
    """max - min over each pixel's 3x3 neighbourhood (edges clamp); works on stacks (..., h, w)."""
    hi, lo = img.copy(), img.copy()
    for out, pick in ((hi, np.maximum), (lo, np.minimum)):
        for axis in (-1, -2):                  # separable: along rows, then along columns of the result
            src = out.copy()
            head = [slice(None)] * img.ndim
            tail = [slice(None)] * img.ndim
            head[axis], tail[axis] = slice(1, None), slice(None, -1)
            pick(out[tuple(head)], src[tuple(tail)], out=out[tuple(head)])
            pick(out[tuple(tail)], src[tuple(head)], out=out[tuple(tail)])
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


def _normalised(rows: np.ndarray) -> np.ndarray:
    centred = rows - rows.mean(axis=-1, keepdims=True)
    return centred / (np.sqrt((centred * centred).mean(axis=-1, keepdims=True)) + 1e-3)


@lru_cache(maxsize=2048)
def _prepared(d: Descriptor, mirrored: bool):
    """([luma, cb, cr] as float32, per axis: normalised profiles of every crop hypothesis, normalised own profile).

    Cached per descriptor: a keeper is compared with each of its candidates, its work is done once."""
    planes = [x.astype(np.float32) for x in (d.luma, d.cb, d.cr)]
    if mirrored:
        planes = [np.ascontiguousarray(x[:, ::-1]) for x in planes]
    _, ops = _hypotheses(THUMB, THUMB)
    profiles = [planes[0].mean(axis=axis) for axis in (0, 1)]
    return planes, [_normalised(ops @ p) for p in profiles], [_normalised(p) for p in profiles]


def _alignment(big, small) -> tuple[float, tuple, tuple]:
    """(profile mismatch, x cut, y cut) of ``small`` read as a crop (possibly none) of ``big``: cheap, 1-D.
    ``big`` and ``small`` are _prepared() tuples."""
    boxes, _ = _hypotheses(THUMB, THUMB)
    total, cuts = 0.0, []
    for axis in (0, 1):
        err = ((big[1][axis] - small[2][axis]) ** 2).sum(axis=1)
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
    edges = np.minimum(_local_range(ca).max(axis=0), _local_range(cb).max(axis=0))
    chroma = float((diff > _CHROMA_TOL + 0.25 * edges).mean())
    return max(luma, chroma)


def compare(keeper: Descriptor, member: Descriptor) -> Verdict:
    """How different ``member`` is from ``keeper`` after undoing crop, mirror, brightness and cut-out."""
    if (keeper.alpha is None) != (member.alpha is None):
        return _compare_cutout(keeper, member)
    k = _prepared(keeper, False)
    options = []
    for mirrored in (False, True):
        m = _prepared(member, mirrored)
        for big, small in ((k, m), (m, k)):
            mismatch, cut_x, cut_y = _alignment(big, small)
            options.append((mismatch, mirrored, big[0], small[0], cut_x, cut_y))
    options.sort(key=lambda o: o[0])
    best = (2.0, False, False)
    for _, mirrored, big, small, cut_x, cut_y in options[:2]:      # the two best alignments get the full test
        score = _changed_aligned(big, small, cut_x, cut_y)
        if score < best[0]:
            best = (score, mirrored, bool(max(cut_x + cut_y) > 0))
        if best[0] <= _CLEAR_MATCH:                                 # the second alignment could only shave a little
            break
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
