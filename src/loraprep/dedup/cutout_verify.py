"""Strict verification of a transparent cut-out against a picture, many pairs per numpy pass: its opaque pixels must be that picture's own pixels.

A cut-out copies the pixels of its picture and keeps the canvas: inside the opaque area nothing moves,
nothing is re-rendered. So the test is stricter than for two whole pictures: the same character drawn
on another background, in another pose or shifted a few pixels (the normal content of a LoRA set,
where most of the opaque area still agrees) must fail, and so must a flat patch of another colour.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

import numpy as np

from loraprep.dedup.descriptor import CHROMA, THUMB, Descriptor, stacked_chroma
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


@dataclass(frozen=True, eq=False)
class _Cuts:
    """What cut-outs bring to a comparison, stacked (one row per cut-out or per shared shape)."""

    alpha: np.ndarray            # 0..1
    solid: np.ndarray            # 0/1 float
    region: np.ndarray           # 0/1 float
    region_size: np.ndarray
    luma: np.ndarray
    luma_edges: np.ndarray
    base_tol: np.ndarray
    chroma: np.ndarray           # (n, 2, CHROMA, CHROMA)
    chroma_edges: np.ndarray
    solid_chroma: np.ndarray     # bool (n, CHROMA, CHROMA)
    usable: np.ndarray           # bool: enough solid detail to tell pictures apart


def _percentiles(luma: np.ndarray, solid: np.ndarray, count: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(2nd, 98th) percentile of each row's solid luma, as sorted values[count // 50] and values[count - 1 - count // 50].
    The thumbnails hold bytes: a cumulative histogram gives the exact order statistics without a sort."""
    n = len(luma)
    rows = np.broadcast_to(np.arange(n)[:, None, None], luma.shape)
    keys = (rows * 256 + luma.astype(np.int64))[solid]
    cumulative = np.cumsum(np.bincount(keys, minlength=n * 256).reshape(n, 256), axis=1)
    lo_at, hi_at = count // 50, count - 1 - count // 50

    def value(at):
        return (cumulative <= at[:, None]).sum(axis=1).astype(np.float32)

    return value(lo_at), value(np.maximum(hi_at, 0))


def _cut_parts(alpha: np.ndarray, descriptors: Sequence[Descriptor]) -> _Cuts:
    """Parts of each cut-out shape ``alpha`` (n, THUMB, THUMB) over its descriptor's pixels."""
    a = alpha.astype(np.float32) / 255.0
    solid_mask = a > SOLID
    solid = solid_mask.astype(np.float32)
    luma8 = np.stack([d.luma for d in descriptors])
    luma = luma8.astype(np.float32)
    count = solid_mask.sum(axis=(1, 2))
    safe = np.maximum(count, 1)
    mean = (luma * solid).sum(axis=(1, 2), dtype=np.float64) / safe
    var = (solid * (luma - mean[:, None, None].astype(np.float32)) ** 2).sum(axis=(1, 2), dtype=np.float64) / safe
    usable = (count >= _MIN_SOLID) & (np.sqrt(var) >= _MIN_DETAIL)
    lo, hi = _percentiles(luma8, solid_mask, count)
    region = (a > PARTIAL).astype(np.float32)
    chroma = stacked_chroma(descriptors)
    pool = area_matrix(CHROMA, THUMB)
    return _Cuts(a, solid, region, region.sum(axis=(1, 2)), luma, local_range(luma),
                 np.minimum(_BASE_TOL, 4.0 + 0.1 * (hi - lo)).astype(np.float32), chroma,
                 local_range(chroma).max(axis=1), (pool @ a @ pool.T) > SOLID, usable)


def _distinct(descriptors: Sequence[Descriptor]) -> tuple[list[Descriptor], np.ndarray]:
    """(each descriptor once, the row of every input in that list): per-picture work is done once per batch."""
    at: dict[int, int] = {}
    distinct: list[Descriptor] = []
    for d in descriptors:
        if id(d) not in at:
            at[id(d)] = len(distinct)
            distinct.append(d)
    return distinct, np.array([at[id(d)] for d in descriptors])


def _pictures(fulls: Sequence[Descriptor], mirrored: np.ndarray):
    """(luma, its local range, chroma, its local range) of every row's picture, mirrored where asked; the
    ranges are computed once per distinct picture (the range of a mirror is the mirror of the range)."""
    distinct, rows = _distinct(fulls)
    luma = np.stack([d.luma for d in distinct]).astype(np.float32)
    chroma = stacked_chroma(distinct)
    out = [luma[rows], local_range(luma)[rows], chroma[rows], local_range(chroma).max(axis=1)[rows]]
    for plane in out:
        plane[mirrored] = plane[mirrored][..., ::-1]
    return out


def _distances(c: _Cuts, fulls: Sequence[Descriptor], mirrored: np.ndarray) -> np.ndarray:
    """Distance of every cut-out row read as a piece of its picture (mirrored where asked); _NO_MATCH where
    the cut-out is unusable or the brightness shift is beyond an edit.

    The picture is brightness-fitted inside the cut-out, composited exactly as the cut-out was (its
    alpha over white) and compared on every pixel the cut-out covers, boundary pixels included: a
    boundary pixel may differ by the mix of the two sides of the edge, a moved limb may not."""
    y, y_edges, chroma, chroma_edges = _pictures(fulls, mirrored)
    w = c.solid
    sw = w.sum(axis=(1, 2), dtype=np.float64) + 1e-6
    ms = (w * y).sum(axis=(1, 2), dtype=np.float64) / sw
    mt = (w * c.luma).sum(axis=(1, 2), dtype=np.float64) / sw
    centred = y - ms[:, None, None].astype(np.float32)
    var = (w * centred * centred).sum(axis=(1, 2), dtype=np.float64) / sw
    cov = (w * centred * (c.luma - mt[:, None, None].astype(np.float32))).sum(axis=(1, 2), dtype=np.float64) / sw
    gain = np.where(var >= 1.0, np.clip(cov / np.maximum(var, 1.0), 0.75, 1.33), 1.0)[:, None, None].astype(np.float32)
    fitted = gain * centred + mt[:, None, None].astype(np.float32)
    expect = c.alpha * fitted + (1 - c.alpha) * 255.0
    # a boundary pixel mixes both sides of the edge: up to a(1-a) of the picture's local contrast
    tol = c.base_tol[:, None, None] + _EDGE_TOL * np.minimum(local_range(expect), c.luma_edges) \
        + c.alpha * (1 - c.alpha) * (gain * y_edges)
    changed = ((np.abs(expect - c.luma) > tol) * c.region).sum(axis=(1, 2), dtype=np.float64) / np.maximum(c.region_size, 1)
    cells = c.solid_chroma.sum(axis=(1, 2))
    coloured = cells >= 4                      # the cut-out's solid cells carry the picture's own colour
    if coloured.any():
        diff = np.abs(c.chroma - chroma).max(axis=1)
        edges = np.minimum(c.chroma_edges, chroma_edges)
        off = ((diff > _CHROMA_TOL + 0.25 * edges) & c.solid_chroma).sum(axis=(1, 2)) / np.maximum(cells, 1)
        changed = np.where(coloured, np.maximum(changed, off), changed)
    distance = np.minimum(_NO_MATCH, 100 * CUTOUT_WEIGHT * changed)
    shifted = np.abs(mt - ms) > _MAX_OFFSET
    return np.where(c.usable & ~shifted, distance, _NO_MATCH)


def cutout_verdicts(keepers: Sequence[Descriptor], members: Sequence[Descriptor]) -> list[tuple[float, bool]]:
    """(distance, mirrored) of every pair where one side or both are cut-outs (cutout_distance, cutouts_distance)."""
    out: list[tuple[float, bool]] = [(_NO_MATCH, False)] * len(keepers)
    single = [i for i, (k, m) in enumerate(zip(keepers, members)) if (k.alpha is None) != (m.alpha is None)]
    both = [i for i, (k, m) in enumerate(zip(keepers, members)) if k.alpha is not None and m.alpha is not None]
    if single:
        cuts = [keepers[i] if keepers[i].alpha is not None else members[i] for i in single]
        fulls = [members[i] if keepers[i].alpha is not None else keepers[i] for i in single]
        found = _single(cuts, fulls)
        for i, result in zip(single, found):
            out[i] = result
    if both:
        found = _both([keepers[i] for i in both], [members[i] for i in both])
        for i, result in zip(both, found):
            out[i] = result
    return out


def _single(cuts: list[Descriptor], fulls: list[Descriptor]) -> list[tuple[float, bool]]:
    """One cut-out against one opaque picture, both orientations; a cut-out's parts are computed once per batch."""
    distinct, rows = _distinct(cuts)
    parts = _cut_parts(np.stack([d.alpha for d in distinct]), distinct)
    n = len(cuts)
    rows = np.repeat(rows, 2)                                          # each pair twice: plain, then mirrored
    doubled = _Cuts(*(getattr(parts, f)[rows] for f in _Cuts.__dataclass_fields__))
    flags = np.tile(np.array([False, True]), n)
    d = _distances(doubled, [f for f in fulls for _ in (0, 1)], flags).reshape(n, 2)
    out = []
    for plain, mirror in d:
        best = (_NO_MATCH, False)
        for distance, mirrored in ((round(float(plain), 1), False), (round(float(mirror), 1), True)):
            if distance < best[0]:
                best = (distance, mirrored)
        out.append(best)
    return out


def _both(a_list: list[Descriptor], b_list: list[Descriptor]) -> list[tuple[float, bool]]:
    """Two cut-outs: the same opaque shape and, inside it, the same pixels."""
    n = len(a_list)
    alpha_a = np.stack([d.alpha for d in a_list])
    alpha_b = np.stack([d.alpha for d in b_list])
    results = []
    for mirrored in (False, True):
        ab = alpha_b[..., ::-1] if mirrored else alpha_b
        mask_a, mask_b = alpha_a > 127, ab > 127
        union = (mask_a | mask_b).sum(axis=(1, 2))
        shape = (mask_a ^ mask_b).sum(axis=(1, 2)) / np.maximum(union, 1)
        shared = _cut_parts(np.minimum(alpha_a, ab), a_list)          # the pixels both cut-outs cover
        pixels = _distances(shared, b_list, np.full(n, mirrored))
        results.append((union, shape, pixels))
    out = []
    for i in range(n):
        best = (_NO_MATCH, False)
        for mirrored, (union, shape, pixels) in zip((False, True), results):
            if union[i] == 0:
                continue
            distance = min(_NO_MATCH, max(round(float(pixels[i]), 1), round(100 * CUTOUT_WEIGHT * float(shape[i]), 1)))
            if distance < best[0]:
                best = (distance, mirrored)
        out.append(best)
    return out


def cutout_distance(cut: Descriptor, full: Descriptor) -> tuple[float, bool]:
    """(distance, mirrored) of the cut-out ``cut`` read as a piece of the opaque picture ``full``."""
    return _single([cut], [full])[0]


def cutouts_distance(a: Descriptor, b: Descriptor) -> tuple[float, bool]:
    """(distance, mirrored) of two cut-outs: the same opaque shape and, inside it, the same pixels."""
    return _both([a], [b])[0]
