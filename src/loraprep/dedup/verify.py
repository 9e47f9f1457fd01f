"""Strict verification of candidate pairs on the thumbnails: crop/mirror alignment, brightness fit, changed area (cut-outs: cutout_verify)."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from loraprep.dedup.cutout_verify import cutout_distance, cutouts_distance
from loraprep.dedup.descriptor import CHROMA, THUMB, Descriptor
from loraprep.dedup.hashes import area_matrix
from loraprep.dedup.local import local_range

CUTS = np.round(np.arange(0.0, 0.145, 0.02), 3)      # crop per side tried by the alignment: 0..14%
_SIDE = 32                                             # comparison grid
_BASE_TOL = 18.0                                       # luma difference (0..255) that counts as changed
_EDGE_TOL = 0.6                                        # plus this share of the local contrast (misaligned edges)
_CHROMA_TOL = 24.0                                     # chroma difference (0..255) that counts as changed
_RECOLOUR_TOL = 20.0                                   # ... and, with full edge slack, as a changed colour
_RECOLOUR_WEIGHT = 4.0
_INSIDE_WEIGHT = 2.0                                   # a change away from the border counts double (see _changed_luma)
_SURE_ALIGNMENT = 2.0                                  # profile mismatch under this: the mirror need not be tried first
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


def _fit(source: np.ndarray, target: np.ndarray) -> np.ndarray:
    """``source`` mapped by the least-squares a*x + b onto ``target`` (brightness/contrast changes)."""
    n = source.size
    ms, mt = float(source.sum()) / n, float(target.sum()) / n
    centred = source - ms
    var = float((centred * centred).sum()) / n
    if var < 1.0:
        return centred + mt
    a = min(1.33, max(0.75, float((centred * (target - mt)).sum()) / n / var))
    return a * centred + mt


@dataclass(frozen=True, eq=False)
class _Side:
    """One orientation of a descriptor, ready for the alignment (computed once, cached)."""

    luma: np.ndarray             # THUMB x THUMB float32
    chroma: np.ndarray           # (2, CHROMA, CHROMA) float32
    crop_profiles: tuple         # per axis: normalised profiles of every crop hypothesis
    profiles: tuple              # per axis: own normalised profile
    source: Descriptor
    mirrored: bool


@dataclass(frozen=True, eq=False)
class _Detail:
    """What the full test needs of the uncropped side (computed only for sides that reach it)."""

    grid: np.ndarray             # luma on the _SIDE comparison grid
    grid_edges: np.ndarray       # its local range
    base_tol: float              # its luma noise tolerance (finer for low-contrast pictures)
    chroma_centred: np.ndarray   # chroma minus its mean
    chroma_edges: np.ndarray     # max over cb, cr of the local range


def _changed_luma(big: np.ndarray, small: _Detail) -> float:
    """Changed share (0..1) of ``small`` against ``big`` (same grid), a change inside the picture counting double.

    A pixel changed when it differs beyond noise and edge slack. Near the border live the edits that
    keep a picture (a signature, a watermark, the sliver a crop misjudged); inside it live the
    differences that make another picture (another top, a moved arm): every benchmark duplicate has
    under 0.3% of its pixels changed inside, the same character in another outfit or pose usually more.
    """
    fitted = _fit(big, small.grid)
    # an edge that moved a little exists in both pictures; an edge present in only one is a change
    tol = small.base_tol + _EDGE_TOL * np.minimum(local_range(fitted), small.grid_edges)
    return changed_share(np.abs(fitted - small.grid) > tol)


def changed_share(bad: np.ndarray) -> float:
    """Share of changed pixels in a square map, those inside the outer eighth on every side counting double."""
    m = bad.shape[0] // 8
    inside = float(bad[m:-m, m:-m].sum()) / bad.size
    return max(float(bad.sum()) / bad.size, _INSIDE_WEIGHT * inside)


def _resample(plane: np.ndarray, cut_x: tuple, cut_y: tuple, side: int) -> np.ndarray:
    """``plane`` (or a stack of planes) cut by (lo, hi) fractions per axis and area-resampled to side x side."""
    n = plane.shape[-1]
    ry = area_matrix(side, n, cut_y[0] * n, (1 - cut_y[1]) * n)
    rx = area_matrix(side, n, cut_x[0] * n, (1 - cut_x[1]) * n)
    return ry @ plane @ rx.T


def _normalised(rows: np.ndarray) -> np.ndarray:
    n = rows.shape[-1]
    centred = rows - rows.sum(axis=-1, keepdims=True) / n
    return centred / (np.sqrt((centred * centred).sum(axis=-1, keepdims=True) / n) + 1e-3)


@lru_cache(maxsize=4096)
def _prepared(d: Descriptor, mirrored: bool) -> _Side:
    """Cached per descriptor and orientation: a keeper is compared with each of its candidates, its work is done once."""
    luma = d.luma.astype(np.float32)
    chroma = np.stack([d.cb, d.cr]).astype(np.float32)
    if mirrored:
        luma, chroma = np.ascontiguousarray(luma[:, ::-1]), np.ascontiguousarray(chroma[..., ::-1])
    _, ops = _hypotheses(THUMB, THUMB)
    profiles = [luma.sum(axis=axis) / luma.shape[axis] for axis in (0, 1)]
    return _Side(luma, chroma, tuple(_normalised(ops @ p) for p in profiles), tuple(_normalised(p) for p in profiles),
                 d, mirrored)


@lru_cache(maxsize=4096)
def _detail(d: Descriptor, mirrored: bool) -> _Detail:
    side = _prepared(d, mirrored)
    grid = _resample(side.luma, (0, 0), (0, 0), _SIDE)
    values = np.sort(grid, axis=None)
    lo, hi = values[len(values) // 50], values[len(values) - 1 - len(values) // 50]
    centred = side.chroma - side.chroma.sum(axis=(1, 2), keepdims=True) / side.chroma[0].size
    return _Detail(grid, local_range(grid), min(_BASE_TOL, 4.0 + 0.1 * float(hi - lo)), centred,
                   local_range(side.chroma).max(axis=0))


def _alignment(big: _Side, small: _Side) -> tuple[float, tuple, tuple]:
    """(profile mismatch, x cut, y cut) of ``small`` read as a crop (possibly none) of ``big``: cheap, 1-D."""
    boxes, _ = _hypotheses(THUMB, THUMB)
    total, cuts = 0.0, []
    for axis in (0, 1):
        err = ((big.crop_profiles[axis] - small.profiles[axis]) ** 2).sum(axis=1)
        best = int(np.argmin(err))
        total += float(err[best])
        cuts.append(tuple(boxes[best]))
    return total, cuts[0], cuts[1]


def _changed_aligned(big: _Side, small_side: _Side, cut_x, cut_y) -> float:
    """Changed share (luma and chroma) of ``small_side`` against the ``cut`` region of ``big``."""
    small = _detail(small_side.source, small_side.mirrored)
    luma = _changed_luma(_resample(big.luma, cut_x, cut_y, _SIDE), small)
    ca = _resample(big.chroma, cut_x, cut_y, CHROMA)
    centred = ca - ca.sum(axis=(1, 2), keepdims=True) / ca[0].size
    diff = np.abs(centred - small.chroma_centred).max(axis=0)
    edges = np.minimum(local_range(ca).max(axis=0), small.chroma_edges)
    chroma = float((diff > _CHROMA_TOL + 0.5 * edges).sum()) / diff.size
    # No edit in scope changes a hue (brightness, contrast and JPEG keep it, a watermark is thin text):
    # a colour that changed away from every edge is another outfit or prop, and counts several times over.
    recoloured = float((diff > _RECOLOUR_TOL + edges).sum()) / diff.size
    return max(luma, chroma, _RECOLOUR_WEIGHT * recoloured)


def compare(keeper: Descriptor, member: Descriptor) -> Verdict:
    """How different ``member`` is from ``keeper`` after undoing crop, mirror, brightness and cut-out."""
    if keeper.alpha is not None or member.alpha is not None:
        return _compare_cutout(keeper, member)
    k = _prepared(keeper, False)
    best = (2.0, False, False)
    tested = None
    plain = _options(k, _prepared(member, False), False)
    if plain[0][0] < _SURE_ALIGNMENT:               # most copies: not mirrored, and the profiles say so
        tested = plain[0]
        best = _full_test(tested, best)
        if best[0] <= _CLEAR_MATCH:
            return Verdict(round(100 * best[0], 1), best[1], best[2], False)
    options = sorted(plain + _options(k, _prepared(member, True), True), key=lambda o: o[0])
    for option in [o for o in options if o is not tested][: 1 if tested else 2]:   # two best get the full test
        best = _full_test(option, best)
        if best[0] <= _CLEAR_MATCH:                                 # the second alignment could only shave a little
            break
    return Verdict(round(100 * best[0], 1), best[1], best[2], False)


def _options(k: _Side, m: _Side, mirrored: bool) -> list[tuple]:
    """Both readings (member as a crop of the keeper, and the other way round), best profile match first."""
    out = []
    for big, small in ((k, m), (m, k)):
        mismatch, cut_x, cut_y = _alignment(big, small)
        out.append((mismatch, mirrored, big, small, cut_x, cut_y))
    return sorted(out, key=lambda o: o[0])


def _full_test(option: tuple, best: tuple) -> tuple:
    _, mirrored, big, small, cut_x, cut_y = option
    score = _changed_aligned(big, small, cut_x, cut_y)
    return (score, mirrored, bool(max(cut_x + cut_y) > 0)) if score < best[0] else best


def _compare_cutout(keeper: Descriptor, member: Descriptor) -> Verdict:
    """One side is a transparent cut-out, or both are: compare only what the cut-out keeps (cutout_verify)."""
    if keeper.alpha is not None and member.alpha is not None:
        distance, mirrored = cutouts_distance(keeper, member)
    else:
        cut, full = (member, keeper) if member.alpha is not None else (keeper, member)
        distance, mirrored = cutout_distance(cut, full)
    return Verdict(distance, mirrored, False, True)
