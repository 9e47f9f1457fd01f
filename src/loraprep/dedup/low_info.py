"""Low-information pairs (mostly one colour): near-identical pixels, read plain or over the overlap a crop alignment finds."""

from __future__ import annotations

from typing import Sequence

import numpy as np

from loraprep.dedup import verify as v
from loraprep.dedup.descriptor import CHROMA, THUMB, Descriptor
from loraprep.dedup.identical import NO_MATCH, near_identical
from loraprep.dedup.local import local_range

# An aligned crop is read at 1% steps of each side, so an edge may sit up to a sixth of a comparison-grid pixel
# off: it may differ by this share of its local contrast on top of identical.py's pixel tolerance. A mark that
# moved (or grew) by a crop's worth on a blank page sits half a pixel or more off, and stays refused.
_EDGE_SLACK = 0.3
# identical.py's 10 plus what resampling a crop of the thumbnail adds to a JPEG's ringing (11.8 measured at q75)
_PIXEL_TOL = 14.0
_PLAIN_CLEAR = 0.5       # % changed under which the plain reading stands (no alignment could lower it much)
_CHANGED_AT = 8.0        # ... and a pixel differing by more than this (plus its edge slack) counts in the distance (4 in
                         # identical.py: resampling an aligned crop moves more pixels by a few levels)
_GAIN = (0.85, 1.15)     # a brightness change (every channel scaled, as Pillow's Brightness) is undone first
# A crop, resized or not, keeps the shape the alignment implies (the small side's aspect ratio is the big side's
# times the kept shares of each axis), within the 1% steps of the estimate; and a crop is not enlarged: it has no
# more pixels per axis than the part of the big side it keeps. On a blank page, a mark that moved by 5% reads as a
# crop of 10% blown up to the frame's size; the mark then grows by 11%, a third of a comparison pixel at its edge,
# which the edge slack cannot tell from a 1% misestimate: the pixel sizes can.
_SHAPE_TOL = 0.02
_SHORTLIST = 16


def low_info_verdicts(keepers: Sequence[Descriptor], members: Sequence[Descriptor]) -> list[tuple[float, bool, bool]]:
    """(distance, mirrored, cropped) of every pair: near_identical() first, then, for the pairs it refuses, each
    read as a crop of the other (verify's profile alignment, plain and mirrored) with the overlap held to
    near-identical pixels after undoing a brightness scale.

    A crop of a mostly blank picture is still that picture; centre-aligned pixels miss it, since the crop moves
    and rescales the one mark the picture has. The overlap is what must agree, pixel for pixel."""
    plain = near_identical(keepers, members)
    out = [(d, m, False) for d, m in plain]
    # a crop of a few percent may pass the plain test, its shifted mark counted as changed: read it aligned too
    todo = [i for i, (d, _) in enumerate(plain) if d > _PLAIN_CLEAR]
    if todo:
        for i, verdict in zip(todo, _aligned([keepers[i] for i in todo], [members[i] for i in todo])):
            if verdict[0] < out[i][0]:
                out[i] = verdict
    return out


def _aligned(keepers: Sequence[Descriptor], members: Sequence[Descriptor]) -> list[tuple[float, bool, bool]]:
    s = v._Sides()
    k = np.array([s.add(d, False) for d in keepers])
    m_plain = np.array([s.add(d, False) for d in members])
    m_mirror = np.array([s.add(d, True) for d in members])
    s.build()
    n = len(k)
    # readings: keeper big, member big, each plain and mirrored; the two best by profile mismatch are tested
    big = np.stack([k, m_plain, k, m_mirror], axis=1)
    small = np.stack([m_plain, k, m_mirror, k], axis=1)
    _, hx, hy = v._alignment(s, big.reshape(-1), small.reshape(-1))
    flat_big, flat_small = big.reshape(-1), small.reshape(-1)
    cx, cy, joint = _shaped(s, flat_big, flat_small, hx, hy)
    order = np.argsort(joint.reshape(n, 4), axis=1, kind="stable")[:, :2]
    rows = np.repeat(np.arange(n), 2)
    pick = order.reshape(-1)
    at = rows * 4 + pick
    b, sm, cx, cy = flat_big[at], flat_small[at], cx[at], cy[at]
    distance = np.where(np.isfinite(joint[at]), _overlap_distance(s, b, sm, cx, cy), NO_MATCH)
    boxes, _ = v._hypotheses(THUMB, THUMB)
    held = np.flatnonzero((distance < NO_MATCH) & (np.maximum(boxes[cx].sum(1), boxes[cy].sum(1)) >= 0.09))
    if len(held):
        from loraprep.dedup.crop_rule import beyond_rule

        distance[held[beyond_rule(s, b[held], sm[held], cx[held], cy[held])]] = NO_MATCH
    distance = distance.reshape(n, 2)
    best = np.argmin(distance, axis=1)
    out = []
    for i in range(n):
        d = float(distance[i, best[i]])
        out.append((round(d, 1), bool(order[i, best[i]] >= 2), d < NO_MATCH))
    return out


def _overlap_distance(s: "v._Sides", big: np.ndarray, small: np.ndarray, hx: np.ndarray, hy: np.ndarray) -> np.ndarray:
    """% of the overlap that changed, or NO_MATCH where some pixel (luma or chroma) differs beyond the tolerance."""
    s.need_detail(small)
    _, ops = v._hypotheses(THUMB, v._SIDE)
    grid = ops[hy] @ s.luma[big] @ ops[hx].transpose(0, 2, 1)
    target = s.grid[small]
    gain = np.clip((grid * target).sum(axis=(1, 2)) / np.maximum((grid * grid).sum(axis=(1, 2)), 1e-6), *_GAIN)
    grid = grid * gain[:, None, None].astype(np.float32)
    slack = _EDGE_SLACK * np.minimum(local_range(grid), s.grid_edges[small])
    luma_diff = np.abs(grid - target)
    _, cops = v._hypotheses(CHROMA, CHROMA)
    chroma = cops[hy][:, None] @ s.chroma[big] @ cops[hx].transpose(0, 2, 1)[:, None]
    chroma = (chroma - 128.0) * gain[:, None, None, None].astype(np.float32) + 128.0
    chroma_slack = _EDGE_SLACK * np.minimum(local_range(chroma), local_range(s.chroma[small]))
    chroma_excess = (np.abs(chroma - s.chroma[small]) - chroma_slack).max(axis=(1, 2, 3))
    worst = np.maximum((luma_diff - slack).max(axis=(1, 2)), chroma_excess)
    changed = 100.0 * v.changed_share(luma_diff > _CHANGED_AT + slack)
    return np.where(worst <= _PIXEL_TOL, changed, NO_MATCH)


def _shaped(s: "v._Sides", big: np.ndarray, small: np.ndarray, hx: np.ndarray, hy: np.ndarray):
    """(x hypothesis, y hypothesis, profile mismatch) of every reading: the pair of crop hypotheses with the least
    summed profile mismatch among those the pixel sizes allow (see _SHAPE_TOL); mismatch inf where none does.

    On a mostly blank picture the profiles say little about the axis without the mark (a crop of 4.7% off the
    height read as 8%), and the pixel test forgives what lies on blank paper: the sizes pin what it cannot.
    One axis' _SHORTLIST best hypotheses are paired with every hypothesis of the other, both ways: every pair of
    hypotheses cost 3.5 ms a reading."""
    boxes, ops = v._hypotheses(THUMB, THUMB)
    err = v._profile_fit(s, big, small, hx, hy, ops)
    size = np.array([(d.width, d.height) for d, _ in s._items], np.float64)
    kept = 1 - boxes.sum(axis=1).astype(np.float64)
    n, h = len(big), len(boxes)
    small_w, small_h = size[small, 0][:, None, None], size[small, 1][:, None, None]
    best = (np.full(n, np.inf), np.zeros(n, np.int64), np.zeros(n, np.int64))
    for axis in (0, 1):
        short = np.argpartition(err[axis], _SHORTLIST, axis=1)[:, :_SHORTLIST]           # (n, S) of this axis
        shape = (n, _SHORTLIST, h) if axis == 0 else (n, h, _SHORTLIST)
        every = np.arange(h)[None, None, :] if axis == 0 else np.arange(h)[None, :, None]
        x, y = (short[:, :, None], every) if axis == 0 else (every, short[:, None, :])
        x, y = np.broadcast_to(x, shape).reshape(n, -1), np.broadcast_to(y, shape).reshape(n, -1)
        kept_w, kept_h = size[big, 0][:, None] * kept[x], size[big, 1][:, None] * kept[y]
        allowed = (np.abs(np.log(kept_w * small_h[:, 0] / (kept_h * small_w[:, 0]))) <= _SHAPE_TOL) \
            & (small_w[:, 0] <= kept_w * (1 + _SHAPE_TOL)) & (small_h[:, 0] <= kept_h * (1 + _SHAPE_TOL))
        joint = np.where(allowed, np.take_along_axis(err[0], x, 1) + np.take_along_axis(err[1], y, 1), np.inf)
        at = np.argmin(joint, axis=1)[:, None]
        value = np.take_along_axis(joint, at, 1)[:, 0]
        better = value < best[0]
        best[0][better] = value[better]
        best[1][better] = np.take_along_axis(x, at, 1)[:, 0][better]
        best[2][better] = np.take_along_axis(y, at, 1)[:, 0][better]
    return best[1], best[2], best[0]
