"""Strict verification of a transparent cut-out against a picture: its opaque pixels must be that picture's own pixels.

A cut-out copies the pixels of its picture and keeps the canvas: inside the opaque area nothing moves,
nothing is re-rendered. So the test is stricter than for two whole pictures: the same character drawn
on another background, in another pose or shifted a few pixels (the normal content of a LoRA set,
where most of the opaque area still agrees) must fail, and so must a flat patch of another colour.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from loraprep.dedup.descriptor import CHROMA, THUMB, Descriptor
from loraprep.dedup.hashes import area_matrix
from loraprep.dedup.local import local_range

SOLID = 0.98            # alpha above this: a pixel fully of the cut-out
PARTIAL = 0.1           # alpha above this: a boundary pixel that still counts (thin limbs live there)
CUTOUT_WEIGHT = 2.0     # the changed share counts double: copied pixels have no excuse to differ
_MAX_OFFSET = 40.0      # brightness shift (luma 0..255) a +-10% edit can explain; beyond it, another picture
_MIN_SOLID = 24         # fewer solid thumbnail pixels than this: too little to tell pictures apart
_MIN_DETAIL = 3.0       # luma spread inside the cut-out under this: a flat patch, any picture would match
_BASE_TOL = 18.0
_EDGE_TOL = 0.6
_CHROMA_TOL = 14.0
_NO_MATCH = 100.0
_NO_MATCH_PAIR = (_NO_MATCH, False)


def _fit(source: np.ndarray, target: np.ndarray, weight: np.ndarray) -> tuple[np.ndarray, float, float]:
    """(``source`` mapped by the weighted least-squares a*x + b onto ``target``, the mean shift, the gain a)."""
    sw = weight.sum() + 1e-6
    ms, mt = (weight * source).sum() / sw, (weight * target).sum() / sw
    var = (weight * (source - ms) ** 2).sum() / sw
    a = 1.0
    if var >= 1.0:
        a = float(np.clip((weight * (source - ms) * (target - mt)).sum() / sw / var, 0.75, 1.33))
    return a * (source - ms) + mt, float(mt - ms), a


def _pooled(alpha: np.ndarray) -> np.ndarray:
    m = area_matrix(CHROMA, THUMB)
    return m @ alpha @ m.T


@dataclass(frozen=True, eq=False)
class _Cut:
    """What a cut-out brings to every comparison, computed once per cut-out."""

    alpha: np.ndarray            # 0..1
    solid: np.ndarray            # 0/1 float
    region: np.ndarray           # 0/1 float
    region_size: float
    luma: np.ndarray
    luma_edges: np.ndarray
    base_tol: float
    chroma: np.ndarray           # (2, CHROMA, CHROMA)
    chroma_edges: np.ndarray
    solid_chroma: np.ndarray     # bool (CHROMA, CHROMA)


@dataclass(frozen=True, eq=False)
class _Full:
    """A picture's planes and local ranges, both orientations: the mirror of a local range is the local range of the mirror."""

    luma: tuple[np.ndarray, np.ndarray]
    luma_edges: tuple[np.ndarray, np.ndarray]
    chroma: tuple[np.ndarray, np.ndarray]
    chroma_edges: tuple[np.ndarray, np.ndarray]


def _cut_parts(alpha: np.ndarray, d: Descriptor) -> _Cut | None:
    a = alpha.astype(np.float32) / 255.0
    solid = (a > SOLID).astype(np.float32)
    luma = d.luma.astype(np.float32)
    if solid.sum() < _MIN_SOLID or float(luma[solid > 0].std()) < _MIN_DETAIL:
        return None
    values = np.sort(luma[solid > 0])
    lo, hi = values[len(values) // 50], values[len(values) - 1 - len(values) // 50]
    region = (a > PARTIAL).astype(np.float32)
    chroma = np.stack([d.cb, d.cr]).astype(np.float32)
    return _Cut(a, solid, region, float(region.sum()), luma, local_range(luma),
                min(_BASE_TOL, 4.0 + 0.1 * float(hi - lo)), chroma, local_range(chroma).max(axis=0),
                _pooled(a) > SOLID)


@lru_cache(maxsize=4096)
def _cached_cut(d: Descriptor) -> _Cut | None:
    return _cut_parts(d.alpha, d)


@lru_cache(maxsize=4096)
def _full_parts(d: Descriptor) -> _Full:
    luma = d.luma.astype(np.float32)
    chroma = np.stack([d.cb, d.cr]).astype(np.float32)
    luma_edges, chroma_edges = local_range(luma), local_range(chroma).max(axis=0)

    def both(x):
        return x, np.ascontiguousarray(x[..., ::-1])

    return _Full(both(luma), both(luma_edges), both(chroma), both(chroma_edges))


def cutout_distance(cut: Descriptor, full: Descriptor, mirrors: tuple[bool, ...] = (False, True)) -> tuple[float, bool]:
    """(distance, mirrored) of the cut-out ``cut`` read as a piece of the opaque picture ``full``.

    The picture is brightness-fitted inside the cut-out, composited exactly as the cut-out was (its
    alpha over white) and compared on every pixel the cut-out covers, boundary pixels included: a
    boundary pixel may differ by the mix of the two sides of the edge, a moved limb may not.
    """
    parts = _cached_cut(cut)
    return _NO_MATCH_PAIR if parts is None else _distance(parts, _full_parts(full), mirrors)



def _distance(c: _Cut, f: _Full, mirrors) -> tuple[float, bool]:
    best = _NO_MATCH_PAIR
    for mirrored in mirrors:
        y = f.luma[mirrored]
        fitted, offset, gain = _fit(y, c.luma, c.solid)
        if abs(offset) > _MAX_OFFSET:
            continue
        expect = c.alpha * fitted + (1 - c.alpha) * 255.0
        # a boundary pixel mixes both sides of the edge: up to a(1-a) of the picture's local contrast
        tol = c.base_tol + _EDGE_TOL * np.minimum(local_range(expect), c.luma_edges) \
            + c.alpha * (1 - c.alpha) * (gain * f.luma_edges[mirrored])
        changed = float(((np.abs(expect - c.luma) > tol) * c.region).sum()) / c.region_size
        if c.solid_chroma.sum() >= 4:          # the cut-out's solid cells carry the picture's own colour
            diff = np.abs(c.chroma - f.chroma[mirrored]).max(axis=0)
            edges = np.minimum(c.chroma_edges, f.chroma_edges[mirrored])
            changed = max(changed, float((diff > _CHROMA_TOL + 0.25 * edges)[c.solid_chroma].mean()))
        distance = min(_NO_MATCH, round(100 * CUTOUT_WEIGHT * changed, 1))
        if distance < best[0]:
            best = (distance, mirrored)
        if distance == 0.0:
            break
    return best


def cutouts_distance(a: Descriptor, b: Descriptor) -> tuple[float, bool]:
    """(distance, mirrored) of two cut-outs: the same opaque shape and, inside it, the same pixels."""
    best = _NO_MATCH_PAIR
    mask_a = a.alpha > 127
    for mirrored in (False, True):
        alpha_b = b.alpha[:, ::-1] if mirrored else b.alpha
        mask_b = alpha_b > 127
        union = int((mask_a | mask_b).sum())
        if union == 0:
            continue
        shape_changed = float((mask_a ^ mask_b).sum()) / union
        shared = _cut_parts(np.minimum(a.alpha, alpha_b), a)          # the pixels both cut-outs cover
        pixels = _NO_MATCH if shared is None else _distance(shared, _full_parts(b), (mirrored,))[0]
        distance = min(_NO_MATCH, max(pixels, round(100 * CUTOUT_WEIGHT * shape_changed, 1)))
        if distance < best[0]:
            best = (distance, mirrored)
    return best
