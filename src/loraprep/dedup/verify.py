"""Strict verification of candidate pairs on the thumbnails, many pairs per numpy pass: crop/mirror alignment, brightness fit, changed area (cut-outs: cutout_verify)."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Sequence

import numpy as np

from loraprep.dedup.cutout_verify import cutout_verdicts
from loraprep.dedup.descriptor import CHROMA, THUMB, Descriptor, stacked_chroma
from loraprep.dedup.hashes import area_matrices
from loraprep.dedup.local import local_range

# "The same picture" (docs/concepts.md): a crop keeps at least 85% of each dimension, so an alignment may
# cut at most MAX_CUT of an axis in total (low side + high side), plus the slack of its 1% estimate
MAX_CUT = 0.15
_CUT_SLACK = 0.02
CUTS = np.round(np.arange(0.0, 0.155, 0.01), 3)      # crop per side a hypothesis may take: 0..15%, 1% steps
_BOXES = [(a, b) for a in CUTS for b in CUTS if a + b <= MAX_CUT + _CUT_SLACK + 1e-6]
# hypotheses the first alignment reads (2% steps, a quarter of the profile work); _refined reads them all
_COARSE = np.array([i for i, (a, b) in enumerate(_BOXES) if round(a * 100) % 2 == 0 and round(b * 100) % 2 == 0])
_SIDE = 32                                             # comparison grid
_BASE_TOL = 18.0                                       # luma difference (0..255) that counts as changed
_EDGE_TOL = 0.6                                        # plus this share of the local contrast (misaligned edges)
_CHROMA_TOL = 24.0                                     # chroma difference (0..255) that counts as changed
_RECOLOUR_TOL = 20.0                                   # ... and, with full edge slack, as a changed colour
_RECOLOUR_WEIGHT = 4.0
_INSIDE_WEIGHT = 2.0                                   # a change away from the border counts double (see changed_share)
_SURE_ALIGNMENT = 2.0                                  # profile mismatch under this: the mirror need not be tried first
_CLEAR_MATCH = 0.01                                    # 1% changed: far under every preset, no need to try another alignment
_NO_MATCH = 2.0                                        # changed share of a pair no alignment explains
# changed share over which a re-read alignment is not tried: on the 2,000-image benchmark every pair it
# brought under the loosest preset was under 0.11 before, and nine in ten re-reads were of pairs at 0.97-2
_REFINE_CAP = 0.3
# Two near-featureless pictures (a grey sky, a grey moon surface) differ by few levels anywhere, so the changed share
# passes them; the same picture still varies with itself. On the 2,000-image benchmark every true pair correlates
# 0.86 or more once aligned (the lowest: crops of a grey photo with a faint gradient), the grey pair that was
# grouped 0.39
_MIN_CORRELATION = 0.6
_MOST_CHANGED = 0.5                                    # the highest threshold (50% changed): a pair over it is refused anyway
_CHUNK = 256                                           # pairs per numpy pass: 40,000 benchmark pairs took 12% less time
# than in passes of 512 (6.3-6.5 s against 7.2-7.3 s, one core), the working set staying within the caches
_CUT_CHUNK = 64                                        # cut-out pairs per pass: 48x48 planes, kept within the CPU caches


@dataclass(frozen=True)
class Verdict:
    """Outcome of comparing a member with its keeper: distance is % of the picture that changed."""

    distance: float
    mirrored: bool
    cropped: bool
    cutout: bool


@lru_cache(maxsize=4)
def _hypotheses(side_in: int, side_out: int):
    """(boxes (H, 2) of (cut_lo, cut_hi), operators (H, side_out, side_in)); box 0 is the uncropped one."""
    boxes = np.array(_BOXES, np.float32)
    ops = area_matrices(side_out, side_in, boxes[:, 0] * side_in, (1 - boxes[:, 1]) * side_in)
    ops.setflags(write=False)
    return boxes, ops


def compare(keeper: Descriptor, member: Descriptor) -> Verdict:
    """How different ``member`` is from ``keeper`` after undoing crop, mirror, brightness and cut-out."""
    return compare_many([keeper], [member])[0]


def compare_many(keepers: Sequence[Descriptor], members: Sequence[Descriptor]) -> list[Verdict]:
    """compare() of every (keepers[i], members[i]); pairs go through numpy together, a few hundred
    numpy calls per chunk instead of per pair: about 0.2 ms a pair where one at a time cost 0.7 ms
    (benchmarks/dedup.py, 20,000 images). Two threads over the chunks gained nothing measurable on
    the shared 2-core machine, so there are none."""
    out: list[Verdict | None] = [None] * len(keepers)
    cut_rows = [i for i, (k, m) in enumerate(zip(keepers, members)) if k.alpha is not None or m.alpha is not None]
    cut_set = set(cut_rows)
    plain_rows = [i for i in range(len(keepers)) if i not in cut_set and (keepers[i].low_info or members[i].low_info)]
    plain_set = set(plain_rows)
    picture_rows = [i for i in range(len(keepers)) if i not in cut_set and i not in plain_set]
    jobs = [(picture_rows[at: at + _CHUNK], _compare_pictures) for at in range(0, len(picture_rows), _CHUNK)]
    jobs += [(cut_rows[at: at + _CUT_CHUNK], _compare_cutouts) for at in range(0, len(cut_rows), _CUT_CHUNK)]
    jobs += [(plain_rows[at: at + _CHUNK], _compare_identical) for at in range(0, len(plain_rows), _CHUNK)]
    for rows, compare_chunk in jobs:
        for i, verdict in zip(rows, compare_chunk([keepers[i] for i in rows], [members[i] for i in rows])):
            out[i] = verdict
    return out  # type: ignore[return-value]


def _compare_identical(keepers: Sequence[Descriptor], members: Sequence[Descriptor]) -> list[Verdict]:
    from loraprep.dedup.low_info import low_info_verdicts          # it reads this module's alignments: imported late

    return [Verdict(distance, mirrored, cropped, False) for distance, mirrored, cropped in low_info_verdicts(keepers, members)]


def _compare_cutouts(keepers: Sequence[Descriptor], members: Sequence[Descriptor]) -> list[Verdict]:
    return [Verdict(distance, mirrored, False, True) for distance, mirrored in cutout_verdicts(keepers, members)]


def changed_share(bad: np.ndarray):
    """Share of changed pixels in a square map (or a stack of them), those inside the outer eighth on every
    side counting double.

    Near the border live the edits that keep a picture (a signature, a watermark, the sliver a crop
    misjudged); inside it live the differences that make another picture (another top, a moved arm):
    every benchmark duplicate has under 0.3% of its pixels changed inside, the same character in another
    outfit or pose usually more."""
    m = bad.shape[-1] // 8
    size = bad.shape[-1] * bad.shape[-2]
    inside = bad[..., m:-m, m:-m].sum(axis=(-2, -1)) / size
    share = np.maximum(bad.sum(axis=(-2, -1)) / size, _INSIDE_WEIGHT * inside)
    return float(share) if bad.ndim == 2 else share


def _normalised(rows: np.ndarray) -> np.ndarray:
    n = rows.shape[-1]
    centred = rows - rows.sum(axis=-1, keepdims=True) / n
    return centred / (np.sqrt((centred * centred).sum(axis=-1, keepdims=True) / n) + 1e-3)


def _fit(source: np.ndarray, target: np.ndarray) -> np.ndarray:
    """Every ``source`` (n, h, w) mapped by its least-squares a*x + b onto its ``target`` (brightness/contrast)."""
    size = source.shape[-1] * source.shape[-2]
    ms = source.sum(axis=(1, 2), dtype=np.float64) / size
    mt = target.sum(axis=(1, 2), dtype=np.float64) / size
    centred = source - ms[:, None, None].astype(np.float32)
    var = (centred * centred).sum(axis=(1, 2), dtype=np.float64) / size
    cov = (centred * (target - mt[:, None, None].astype(np.float32))).sum(axis=(1, 2), dtype=np.float64) / size
    gain = np.where(var < 1.0, 1.0, np.clip(cov / np.maximum(var, 1.0), 0.75, 1.33))
    return gain[:, None, None].astype(np.float32) * centred + mt[:, None, None].astype(np.float32)


class _Sides:
    """The distinct (descriptor, orientation) sides of a chunk of pairs, as stacked arrays."""

    def __init__(self) -> None:
        self._at: dict[tuple[int, bool], int] = {}
        self._items: list[tuple[Descriptor, bool]] = []

    def add(self, d: Descriptor, mirrored: bool) -> int:
        key = (id(d), mirrored)
        at = self._at.get(key)
        if at is None:
            at = self._at[key] = len(self._items)
            self._items.append((d, mirrored))
        return at

    def build(self) -> None:
        luma = np.stack([d.luma for d, _ in self._items]).astype(np.float32)
        chroma = stacked_chroma([d for d, _ in self._items])
        flip = np.array([m for _, m in self._items])
        luma[flip] = luma[flip][..., ::-1]
        chroma[flip] = chroma[flip][..., ::-1]
        self.luma, self.chroma = luma, chroma
        n = len(luma)
        # a mirrored side whose plain side is here too is that side read right to left: its arrays are the plain
        # ones flipped, not computed again (every member of a chunk comes both ways: half the sides' work)
        self._twin = np.array([self._at.get((id(d), False), -1) if m else -1 for d, m in self._items], np.int64)
        derived = np.flatnonzero(self._twin >= 0)
        own = np.flatnonzero(self._twin < 0)
        twin = self._twin[derived]
        _, ops = _hypotheses(THUMB, THUMB)
        ops = ops[_COARSE]
        flat_ops = ops.reshape(-1, THUMB)
        profiles = [luma[own].sum(axis=axis) / THUMB for axis in (1, 2)]        # per column (x), per row (y)
        self.profiles = [np.empty((n, THUMB), np.float32) for _ in profiles]
        # every crop hypothesis of every side in one matrix product per axis, kept centred with its
        # normalising scale: the mismatch is then a dot product (see _alignment), not a pass per hypothesis
        self.crops = [np.empty((n, len(ops), THUMB), np.float32) for _ in profiles]
        self.crop_scale = [np.empty((n, len(ops)), np.float32) for _ in profiles]
        self.crop_energy = [np.empty((n, len(ops)), np.float32) for _ in profiles]
        for axis, p in enumerate(profiles):
            self.profiles[axis][own] = _normalised(p)
            crop = (p @ flat_ops.T).reshape(len(p), len(ops), THUMB)
            crop -= crop.sum(axis=-1, keepdims=True) / THUMB
            variance = np.einsum("sho,sho->sh", crop, crop) / THUMB
            scale = 1.0 / (np.sqrt(variance) + 1e-3)
            self.crops[axis][own] = crop
            self.crop_scale[axis][own] = scale
            self.crop_energy[axis][own] = THUMB * variance * scale * scale
        # read right to left, the x profile runs backwards and a crop (low, high) of it is the crop (high, low)
        self.profiles[0][derived] = self.profiles[0][twin][:, ::-1]
        self.profiles[1][derived] = self.profiles[1][twin]
        swapped = _swapped_coarse()
        self.crops[0][derived] = self.crops[0][twin][:, swapped, ::-1]
        self.crops[1][derived] = self.crops[1][twin]
        for per_axis in (self.crop_scale, self.crop_energy):
            per_axis[0][derived] = per_axis[0][twin][:, swapped]
            per_axis[1][derived] = per_axis[1][twin]
        self.profile_energy = [(p * p).sum(axis=-1) for p in self.profiles]
        self._has_detail = np.zeros(n, bool)
        self.grid = np.empty((n, _SIDE, _SIDE), np.float32)
        self.grid_edges = np.empty_like(self.grid)
        self.base_tol = np.empty(n, np.float32)
        self.chroma_centred = np.empty_like(chroma)
        self.chroma_edges = np.empty((n, CHROMA, CHROMA), np.float32)

    def need_detail(self, sides: np.ndarray) -> None:
        """What the full test needs of the uncropped side, for the given sides (computed once, on demand:
        only the sides a test reads as the smaller picture); a mirrored side's is its plain side's, flipped."""
        wanted = np.zeros(len(self._has_detail), bool)        # np.unique, without its first call's 30 ms import
        wanted[sides] = True                                   # of numpy.ma (a frames run makes one comparison
        wanted &= ~self._has_detail                            # every few seconds)
        derived = np.flatnonzero(wanted & (self._twin >= 0))
        wanted[self._twin[derived]] = True
        wanted[derived] = False
        todo = np.flatnonzero(wanted & ~self._has_detail)
        if len(todo):
            _, grid_ops = _hypotheses(THUMB, _SIDE)
            grid = grid_ops[0] @ self.luma[todo] @ grid_ops[0].T
            values = np.sort(grid.reshape(len(todo), -1), axis=1)
            k = values.shape[1] // 50
            self.grid[todo] = grid
            self.grid_edges[todo] = local_range(grid)
            self.base_tol[todo] = np.minimum(_BASE_TOL, 4.0 + 0.1 * (values[:, -1 - k] - values[:, k]))
            chroma = self.chroma[todo]
            self.chroma_centred[todo] = chroma - chroma.sum(axis=(2, 3), keepdims=True) / (CHROMA * CHROMA)
            self.chroma_edges[todo] = local_range(chroma).max(axis=1)
            self._has_detail[todo] = True
        if len(derived):
            twin = self._twin[derived]
            for plane in (self.grid, self.grid_edges, self.chroma_centred, self.chroma_edges):
                plane[derived] = plane[twin][..., ::-1]
            self.base_tol[derived] = self.base_tol[twin]
            self._has_detail[derived] = True


@lru_cache(maxsize=1)
def _swapped_coarse() -> np.ndarray:
    """Position in _COARSE of each coarse hypothesis with its two cuts exchanged (the same crop, mirrored)."""
    at = {_BOXES[h]: pos for pos, h in enumerate(_COARSE)}
    return np.array([at[(_BOXES[h][1], _BOXES[h][0])] for h in _COARSE], np.int64)


def _alignment(s: _Sides, big: np.ndarray, small: np.ndarray):
    """(profile mismatch, x hypothesis, y hypothesis) of every ``small`` side read as a crop of its ``big`` side.

    The mismatch of a hypothesis is the squared distance between the normalised crop profile of the
    big side and the normalised profile of the small one, |c|^2 + |p|^2 - 2 c.p, one dot product each."""
    total = np.zeros(len(big))
    best = []
    rows = np.arange(len(big))
    for axis in (0, 1):
        profile = s.profiles[axis][small]
        dots = (s.crops[axis][big] @ profile[:, :, None])[..., 0]
        err = s.crop_energy[axis][big] + s.profile_energy[axis][small][:, None] - 2 * s.crop_scale[axis][big] * dots
        at = np.argmin(err, axis=1)
        total += err[rows, at]
        best.append(_COARSE[at])
    return total, best[0], best[1]


def _refined(s: _Sides, big: np.ndarray, small: np.ndarray, hx: np.ndarray, hy: np.ndarray):
    """(x hypothesis, y hypothesis) re-read with each axis' profile of the big side taken over only what the
    other axis' hypothesis keeps.

    The first reading compares whole-frame profiles: a crop that takes 13% off the top changes every column
    mean of the big side, and on a picture with a few large shapes that can pull the x alignment far off
    (a one-sided crop was then read as 14% off the left and 8% off the right)."""
    _, ops = _hypotheses(THUMB, THUMB)
    err_x, err_y = _profile_fit(s, big, small, hx, hy, ops)
    return np.argmin(err_x, axis=1), np.argmin(err_y, axis=1)


def _profile_fit(s: _Sides, big: np.ndarray, small: np.ndarray, hx: np.ndarray, hy: np.ndarray, candidates: np.ndarray):
    """(x, y) profile mismatch (n, len(candidates)) of every crop in ``candidates`` (operators of one axis), each
    axis' profile of the big side taken over only what the other axis' hypothesis (hx, hy: verification boxes) keeps."""
    _, ops = _hypotheses(THUMB, THUMB)
    flat_ops = candidates.reshape(-1, THUMB)
    luma = s.luma[big]
    n = len(big)
    picked = []
    for axis, other in ((0, hy), (1, hx)):
        weights = ops[other].sum(axis=1) / THUMB                    # share of each line the other axis keeps
        profile = np.einsum("ry,ryx->rx" if axis == 0 else "rx,ryx->ry", weights, luma) / weights.sum(1, keepdims=True)
        crop = (profile @ flat_ops.T).reshape(n, len(candidates), THUMB)
        crop -= crop.sum(axis=-1, keepdims=True) / THUMB
        variance = np.einsum("rho,rho->rh", crop, crop) / THUMB
        scale = 1.0 / (np.sqrt(variance) + 1e-3)
        dots = (crop @ s.profiles[axis][small][:, :, None])[..., 0]
        err = THUMB * variance * scale * scale + s.profile_energy[axis][small][:, None] - 2 * scale * dots
        picked.append(err)
    return picked[0], picked[1]


def _changed(s: _Sides, big: np.ndarray, small: np.ndarray, hx: np.ndarray, hy: np.ndarray,
             beat: np.ndarray | float = np.inf) -> np.ndarray:
    """Changed share (luma and chroma) of every ``small`` side against the (hx, hy) crop of its ``big`` side.

    A pair whose luma share alone is over ``beat`` (per pair: the share the reading must beat to matter) gets
    that share, a lower bound of its whole one: its chroma is not read. Most candidate pairs are other
    pictures, settled by the luma test."""
    s.need_detail(small)
    _, ops = _hypotheses(THUMB, _SIDE)
    grid = ops[hy] @ s.luma[big] @ ops[hx].transpose(0, 2, 1)
    fitted = _fit(grid, s.grid[small])
    # an edge that moved a little exists in both pictures; an edge present in only one is a change
    tol = s.base_tol[small][:, None, None] + _EDGE_TOL * np.minimum(local_range(fitted), s.grid_edges[small])
    luma = changed_share(np.abs(fitted - s.grid[small]) > tol)
    rest = np.flatnonzero(luma <= beat)
    if not len(rest):
        return luma
    big, small, hx, hy = big[rest], small[rest], hx[rest], hy[rest]
    _, cops = _hypotheses(CHROMA, CHROMA)
    ca = cops[hy][:, None] @ s.chroma[big] @ cops[hx].transpose(0, 2, 1)[:, None]
    centred = ca - ca.sum(axis=(2, 3), keepdims=True) / (CHROMA * CHROMA)
    diff = np.abs(centred - s.chroma_centred[small]).max(axis=1)
    edges = np.minimum(local_range(ca).max(axis=1), s.chroma_edges[small])
    size = CHROMA * CHROMA
    chroma = (diff > _CHROMA_TOL + 0.5 * edges).sum(axis=(1, 2)) / size
    # No edit in scope changes a hue (brightness, contrast and JPEG keep it, a watermark is thin text):
    # a colour that changed away from every edge is another outfit or prop, and counts several times over.
    recoloured = (diff > _RECOLOUR_TOL + edges).sum(axis=(1, 2)) / size
    luma[rest] = np.maximum(np.maximum(luma[rest], chroma), _RECOLOUR_WEIGHT * recoloured)
    return luma


def _correlation(s: _Sides, big: np.ndarray, small: np.ndarray, hx: np.ndarray, hy: np.ndarray) -> np.ndarray:
    """Normalised correlation (-1..1) of every ``small`` side's comparison grid with the (hx, hy) crop of its ``big`` side."""
    _, ops = _hypotheses(THUMB, _SIDE)
    a = (ops[hy] @ s.luma[big] @ ops[hx].transpose(0, 2, 1)).reshape(len(big), -1)
    b = s.grid[small].reshape(len(big), -1)
    a = a - a.mean(axis=1, keepdims=True)
    b = b - b.mean(axis=1, keepdims=True)
    return (a * b).sum(axis=1) / (np.sqrt((a * a).sum(axis=1) * (b * b).sum(axis=1)) + 1e-6)


def _compare_pictures(keepers: Sequence[Descriptor], members: Sequence[Descriptor]) -> list[Verdict]:
    """Four readings per pair (member as a crop of the keeper or the other way round, member mirrored or not),
    ranked by how well their 1-D profiles align; the best one or two get the full 2-D test."""
    s = _Sides()
    k = np.array([s.add(d, False) for d in keepers])
    m_plain = np.array([s.add(d, False) for d in members])
    m_mirror = np.array([s.add(d, True) for d in members])
    s.build()
    n = len(k)
    rows = np.arange(n)
    # readings: 0 keeper big, 1 member big, 2 keeper big vs mirror, 3 mirror big
    big = np.stack([k, m_plain, k, m_mirror], axis=1)
    small = np.stack([m_plain, k, m_mirror, k], axis=1)
    mismatch, hx, hy = (a.reshape(n, 4) for a in _alignment(s, big.reshape(-1), small.reshape(-1)))
    # plain readings best first, then mirrored ones best first, then all four by mismatch (stable, as sorted())
    plain_swap = mismatch[:, 1] < mismatch[:, 0]
    mirror_swap = mismatch[:, 3] < mismatch[:, 2]
    seq = np.stack([np.where(plain_swap, 1, 0), np.where(plain_swap, 0, 1),
                    np.where(mirror_swap, 3, 2), np.where(mirror_swap, 2, 3)], axis=1)
    ranked = np.take_along_axis(seq, np.argsort(np.take_along_axis(mismatch, seq, 1), axis=1, kind="stable"), 1)
    # most copies are not mirrored, and the plain profiles say so: that reading is tested first
    first = np.where(mismatch[rows, seq[:, 0]] < _SURE_ALIGNMENT, seq[:, 0], ranked[:, 0])
    second = np.where(ranked[:, 0] != first, ranked[:, 0], ranked[:, 1])

    def test(pick: np.ndarray, at: np.ndarray, beat) -> np.ndarray:
        return _changed(s, big[at, pick], small[at, pick], hx[at, pick], hy[at, pick], beat)

    # a reading matters only where it beats the best so far and is under the loosest threshold (see _changed)
    best = np.full(n, _NO_MATCH)
    chosen = np.full(n, -1)
    score = test(first, rows, _MOST_CHANGED)
    better = score < best
    best[better], chosen[better] = score[better], first[better]
    again = np.flatnonzero(best > _CLEAR_MATCH)       # a clear match: the other alignment could only shave a little
    if len(again):
        score = test(second[again], again, np.minimum(best[again], _MOST_CHANGED))
        better = score < best[again]
        best[again[better]], chosen[again[better]] = score[better], second[again][better]
    # still no clear match: the best reading once more, its alignment re-read axis by axis (see _refined)
    pick = np.where(chosen < 0, first, chosen)
    cut_x, cut_y = hx[rows, pick], hy[rows, pick]
    again = np.flatnonzero((best > _CLEAR_MATCH) & (best <= _REFINE_CAP))
    if len(again):
        at_big, at_small = big[again, pick[again]], small[again, pick[again]]
        rx, ry = _refined(s, at_big, at_small, cut_x[again], cut_y[again])
        moved = np.flatnonzero((rx != cut_x[again]) | (ry != cut_y[again]))
        if len(moved):
            score = _changed(s, at_big[moved], at_small[moved], rx[moved], ry[moved], best[again[moved]])
            better = score < best[again[moved]]
            rows_better = again[moved][better]
            best[rows_better], chosen[rows_better] = score[better], pick[rows_better]
            cut_x[rows_better], cut_y[rows_better] = rx[moved][better], ry[moved][better]
    boxes, _ = _hypotheses(THUMB, THUMB)
    # only an alignment that cuts this much of an axis can be a crop beyond the rule that the 2-D test forgives
    # (a 21% crop read as a 10% one moves edges by 4 grid pixels: the 2-D test sees it)
    near_rule = np.maximum(boxes[cut_x].sum(axis=1), boxes[cut_y].sum(axis=1)) >= 0.09
    held = np.flatnonzero((chosen >= 0) & (best <= _MOST_CHANGED) & near_rule)
    if len(held):
        from loraprep.dedup.crop_rule import beyond_rule          # it reads this module's alignments: imported late

        beyond = beyond_rule(s, big[held, chosen[held]], small[held, chosen[held]], cut_x[held], cut_y[held])
        chosen[held[beyond]] = -1
    weak = np.flatnonzero((chosen >= 0) & (best <= _MOST_CHANGED))
    if len(weak):
        at = chosen[weak]
        corr = _correlation(s, big[weak, at], small[weak, at], cut_x[weak], cut_y[weak])
        chosen[weak[corr < _MIN_CORRELATION]] = -1
    out = []
    for i in range(n):
        c = chosen[i]
        if c < 0:
            out.append(Verdict(round(100 * _NO_MATCH, 1), False, False, False))
        else:
            out.append(Verdict(round(100 * float(best[i]), 1), bool(c >= 2), bool(cut_x[i] or cut_y[i]), False))
    return out
