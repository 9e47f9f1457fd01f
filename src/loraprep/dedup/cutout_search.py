"""Candidate search for transparent cut-outs: masked thumbnail distance, coarse to fine, as a few matrix products.

A cut-out's background is gone, so whole-frame codes cannot find the picture it came from. Each
cut-out is compared (inside its opaque area, brightness-normalised, both orientations) with every
picture at 16x16 in blocked BLAS products (256 multiply-adds per pair for both orientations, see _halves; a bounded
constant), and only its best COARSE_SHORTLIST pictures are compared again at 24x24.
"""

from __future__ import annotations

import numpy as np

from loraprep.dedup.descriptor import Descriptor
from loraprep.dedup.threads import cores, side_by_side

_FINE, _COARSE = 24, 16
_COARSE_SHORTLIST = 64   # pictures per cut-out and orientation kept by the 16x16 pass (8x8 lost a quarter of the cut-outs)
_SHORTLIST = 8           # best matches per cut-out and orientation handed to the strict verification
                         # (16 verified twice as many pairs for +0.08% cut-out recall on 20,000 images)
_MAX_RESIDUAL = 0.35     # residual variance share above this is not worth verifying
_BLOCK = 2048            # pictures per block: bounds the coarse pass to about 80 MB a thread (4096: 165 MB, no faster)
_FINE_ROWS = 128         # cut-outs per fine pass: their shortlists as 24x24 floats take 19 MB (all 667 of a
                         # thread's share at 20,000 images took 98 MB per array, and the pass makes several)


def _pool(arr: np.ndarray, side: int, how: str) -> np.ndarray:
    """Block mean (or min) of the trailing two axes down to side x side, folding block rows and columns
    slice by slice: a mean over strided block axes took a third of the cut-out search. Thumbnails hold whole
    numbers, so the sums are exact and equal np.mean's to the bit."""
    k = arr.shape[-1] // side
    blocks = arr[..., : k * side, : k * side]
    fold = np.minimum if how == "min" else np.add
    for axis in (-1, -2):
        shape = blocks.shape[:axis] + (side, k) + (blocks.shape[axis + 1:] if axis == -2 else ())
        split = blocks.reshape(shape)
        pick = [slice(None)] * split.ndim
        pick[axis] = 0
        out = split[tuple(pick)].copy()
        for j in range(1, k):
            pick[axis] = j
            fold(out, split[tuple(pick)], out=out)
        blocks = out
    if how == "min":
        return blocks
    return blocks / np.asarray(k * k, blocks.dtype)


def _masked(descriptors: list[Descriptor], cut_pos: list[int], side: int, mirrored: bool):
    """(weights (C, side^2), centred cut-out luma (C, side^2)): fully opaque cells count, the rest do not."""
    luma = np.stack([descriptors[p].luma for p in cut_pos]).astype(np.float32)
    alpha = np.stack([descriptors[p].alpha for p in cut_pos]).astype(np.float32)
    if mirrored:
        luma, alpha = luma[..., ::-1], alpha[..., ::-1]
    n = len(cut_pos)
    w = (_pool(alpha, side, "min") >= 250).astype(np.float32).reshape(n, -1)
    thin = w.sum(axis=1) < max(4, side * side // 72)          # too few solid cells: soft weights instead
    if thin.any():
        w[thin] = (_pool(alpha[thin], side, "mean") / 255.0).reshape(int(thin.sum()), -1) ** 4
    a = _pool(luma, side, "mean").reshape(n, -1)
    centred = a - (w * a).sum(axis=1, keepdims=True) / np.maximum(w.sum(axis=1, keepdims=True), 1e-6)
    return w, centred


def _residual_from(sw, a_energy, wb, wbb, wab) -> np.ndarray:
    """Share of the picture's masked variance left after the best gain a*g ~ b; inf where no fit.
    In place where it can: on the coarse pass these are (cut-outs x pictures) arrays."""
    energy = np.maximum(a_energy, 1e-6)
    b_var = np.multiply(wb, wb)
    b_var /= sw
    np.subtract(wbb, b_var, out=b_var)
    no_fit = wab < 0.7 * energy                 # gain wab / energy outside [0.7, 1.4]
    no_fit |= wab > 1.4 * energy
    residual = np.multiply(wab, wab)
    residual /= energy
    np.subtract(b_var, residual, out=residual)
    with np.errstate(invalid="ignore", divide="ignore"):  # blank tiles: 0/0 becomes nan, never a match
        residual /= np.maximum(b_var, a_energy, out=b_var)
    no_fit |= np.isnan(residual)
    residual[no_fit] = np.inf
    return residual.astype(np.float32, copy=False)


def _residual(W, A, B, pairwise: bool) -> np.ndarray:
    """_residual_from for every cut-out against pictures. ``pairwise``: B is (C, n, d), one row set per
    cut-out; otherwise B is (n, d), shared."""
    sw = W.sum(axis=1, keepdims=True) + 1e-6
    a_energy = (W * A * A).sum(axis=1, keepdims=True)
    if pairwise:
        wb, wbb, wab = (np.einsum("cd,cnd->cn", x, y) for x, y in ((W, B), (W, B * B), (W * A, B)))
    else:
        wb, wbb, wab = W @ B.T, W @ (B * B).T, (W * A) @ B.T
    return _residual_from(sw, a_energy, wb, wbb, wab)


def _halves(x: np.ndarray, side: int) -> tuple[np.ndarray, np.ndarray]:
    """(sum, difference) of each row's left half and its mirrored right half, (n, side^2 / 2) each.

    x.y = (s_x.s_y + d_x.d_y) / 2, and with x mirrored (s_x.s_y - d_x.d_y) / 2: both orientations of a
    cut-out from two products of half the length, where two separate passes took twice the work."""
    grid = x.reshape(len(x), side, side)
    left, right = grid[..., : side // 2], grid[..., side // 2:][..., ::-1]
    return (left + right).reshape(len(x), -1), (left - right).reshape(len(x), -1)


def _residual_both(W, A, B, side: int) -> tuple[np.ndarray, np.ndarray]:
    """(_residual of the cut-outs as they are, of the cut-outs mirrored) against shared pictures B (n, d)."""
    sw = W.sum(axis=1, keepdims=True) + 1e-6
    a_energy = (W * A * A).sum(axis=1, keepdims=True)
    (ws, wd), (was, wad) = _halves(W, side), _halves(W * A, side)
    (bs, bd), (bbs, bbd) = _halves(B, side), _halves(B * B, side)
    plain, mirror = [], []
    for s, d in ((ws @ bs.T, wd @ bd.T), (ws @ bbs.T, wd @ bbd.T), (was @ bs.T, wad @ bd.T)):
        s *= 0.5
        d *= 0.5
        plain.append(s + d)
        mirror.append(np.subtract(s, d, out=s))
    return _residual_from(sw, a_energy, *plain), _residual_from(sw, a_energy, *mirror)


def cutout_candidates(descriptors: list[Descriptor]) -> set[tuple[int, int]]:
    """Pairs (cut-out position, picture position) worth a strict verification. The cut-outs are split
    over the cores (threads): each compares its share with every picture."""
    cut_pos = [p for p, d in enumerate(descriptors) if d.alpha is not None and not d.flat]
    others = np.array([p for p, d in enumerate(descriptors) if not d.flat])
    if not cut_pos or len(others) < 2:
        return set()
    coarse = np.empty((len(others), _COARSE * _COARSE), np.float32)
    fine = np.empty((len(others), _FINE * _FINE), np.float32)
    for start in range(0, len(others), _BLOCK):     # a block at a time: all thumbnails as floats took 184 MB at 20,000
        part = slice(start, start + _BLOCK)
        lumas = np.stack([descriptors[p].luma for p in others[part]]).astype(np.float32)
        coarse[part] = _pool(lumas, _COARSE, "mean").reshape(len(lumas), -1)
        fine[part] = _pool(lumas, _FINE, "mean").reshape(len(lumas), -1)
    shares = [cut_pos[at::cores()] for at in range(min(cores(), len(cut_pos)))]
    found = side_by_side(lambda share: _candidates_of(descriptors, share, others, coarse, fine), shares)
    return set().union(*found)


def _candidates_of(descriptors: list[Descriptor], cut_pos: list[int], others: np.ndarray, coarse: np.ndarray,
                   fine: np.ndarray) -> set[tuple[int, int]]:
    """cutout_candidates' pairs for the cut-outs at ``cut_pos``: every picture at 16x16, the best again at 24x24."""
    keep = min(_COARSE_SHORTLIST, len(others))
    pairs: set[tuple[int, int]] = set()
    W, A = _masked(descriptors, cut_pos, _COARSE, False)      # mirrored: the same rows flipped (_halves)
    best = [np.full((len(cut_pos), 0), np.inf, np.float32) for _ in (0, 1)]
    best_at = [np.zeros((len(cut_pos), 0), np.int64) for _ in (0, 1)]
    for start in range(0, len(others), _BLOCK):
        for o, residual in enumerate(_residual_both(W, A, coarse[start: start + _BLOCK], _COARSE)):
            merged = np.concatenate([best[o], residual], axis=1)
            at = np.concatenate([best_at[o], np.broadcast_to(np.arange(start, start + residual.shape[1]),
                                                             residual.shape)], axis=1)
            if merged.shape[1] > keep:
                top = np.argpartition(merged, keep - 1, axis=1)[:, :keep]
                merged, at = np.take_along_axis(merged, top, axis=1), np.take_along_axis(at, top, axis=1)
            best[o], best_at[o] = merged, at
    for o, mirrored in enumerate((False, True)):
        Wf, Af = _masked(descriptors, cut_pos, _FINE, mirrored)
        for lo in range(0, len(cut_pos), _FINE_ROWS):        # (rows, keep, 24 x 24) floats: bounded, not C x keep
            rows = slice(lo, lo + _FINE_ROWS)
            at = best_at[o][rows]
            scores = _residual(Wf[rows], Af[rows], fine[at], pairwise=True)      # (rows, keep)
            scores[~np.isfinite(best[o][rows])] = np.inf
            order = np.argsort(scores, axis=1)[:, :_SHORTLIST]
            for row, p in enumerate(cut_pos[rows]):
                for col in order[row]:
                    q = int(others[at[row, col]])
                    if q != p and scores[row, col] <= _MAX_RESIDUAL:
                        pairs.add((p, q))
    return pairs
