"""Candidate search for transparent cut-outs: masked thumbnail distance, coarse to fine, as a few matrix products.

A cut-out's background is gone, so whole-frame codes cannot find the picture it came from. Each
cut-out is compared (inside its opaque area, brightness-normalised, both orientations) with every
picture at 16x16 in blocked BLAS products (256 multiply-adds per pair and orientation, a bounded
constant), and only its best COARSE_SHORTLIST pictures are compared again at 24x24.
"""

from __future__ import annotations

import numpy as np

from loraprep.dedup.descriptor import Descriptor

_FINE, _COARSE = 24, 16
_COARSE_SHORTLIST = 64   # pictures per cut-out and orientation kept by the 16x16 pass (8x8 lost a quarter of the cut-outs)
_SHORTLIST = 16          # best matches per cut-out handed to the strict verification (copies come in bunches)
_MAX_RESIDUAL = 0.35     # residual variance share above this is not worth verifying
_BLOCK = 4096            # pictures per block: bounds memory to a few MB per block


def _pool(arr: np.ndarray, side: int, how: str) -> np.ndarray:
    k = arr.shape[-1] // side
    blocks = arr[..., : k * side, : k * side].reshape(*arr.shape[:-2], side, k, side, k)
    return blocks.min(axis=(-3, -1)) if how == "min" else blocks.mean(axis=(-3, -1))


def _masked(descriptors: list[Descriptor], cut_pos: list[int], side: int, mirrored: bool):
    """(weights (C, side^2), centred cut-out luma (C, side^2)): fully opaque cells count, the rest do not."""
    weights, centred = [], []
    for p in cut_pos:
        d = descriptors[p]
        luma, alpha = (d.luma[:, ::-1], d.alpha[:, ::-1]) if mirrored else (d.luma, d.alpha)
        alpha = alpha.astype(np.float32)
        w = (_pool(alpha, side, "min") >= 250).astype(np.float32).reshape(-1)
        if w.sum() < max(4, side * side // 72):
            w = (_pool(alpha, side, "mean") / 255.0).reshape(-1) ** 4
        a = _pool(luma.astype(np.float32), side, "mean").reshape(-1)
        weights.append(w)
        centred.append(a - (w * a).sum() / max(w.sum(), 1e-6))
    return np.stack(weights), np.stack(centred)


def _residual(W, A, B, pairwise: bool) -> np.ndarray:
    """Share of the picture's masked variance left after the best gain a*g ~ b; inf where no fit.

    ``pairwise``: B is (C, n, d), one row set per cut-out; otherwise B is (n, d), shared."""
    sw = W.sum(axis=1, keepdims=True) + 1e-6
    a_energy = (W * A * A).sum(axis=1, keepdims=True)
    if pairwise:
        wb, wbb, wab = (np.einsum("cd,cnd->cn", x, y) for x, y in ((W, B), (W, B * B), (W * A, B)))
    else:
        wb, wbb, wab = W @ B.T, W @ (B * B).T, (W * A) @ B.T
    b_var = wbb - wb * wb / sw
    with np.errstate(invalid="ignore", divide="ignore"):  # blank tiles: 0/0 becomes nan, never a match
        residual = (b_var - wab * wab / np.maximum(a_energy, 1e-6)) / np.maximum(b_var, a_energy)
        gain = wab / np.maximum(a_energy, 1e-6)
    residual[np.isnan(residual) | (gain < 0.7) | (gain > 1.4)] = np.inf
    return residual.astype(np.float32)


def cutout_candidates(descriptors: list[Descriptor]) -> set[tuple[int, int]]:
    """Pairs (cut-out position, picture position) worth a strict verification."""
    cut_pos = [p for p, d in enumerate(descriptors) if d.alpha is not None and not d.flat]
    others = np.array([p for p, d in enumerate(descriptors) if not d.flat])
    if not cut_pos or len(others) < 2:
        return set()
    lumas = np.stack([descriptors[p].luma for p in others]).astype(np.float32)
    coarse = _pool(lumas, _COARSE, "mean").reshape(len(others), -1)
    fine = _pool(lumas, _FINE, "mean").reshape(len(others), -1)
    keep = min(_COARSE_SHORTLIST, len(others))
    pairs: set[tuple[int, int]] = set()
    for mirrored in (False, True):
        W, A = _masked(descriptors, cut_pos, _COARSE, mirrored)
        best = np.full((len(cut_pos), 0), np.inf, np.float32)
        best_at = np.zeros((len(cut_pos), 0), np.int64)
        for start in range(0, len(others), _BLOCK):
            residual = _residual(W, A, coarse[start: start + _BLOCK], pairwise=False)
            merged = np.concatenate([best, residual], axis=1)
            at = np.concatenate([best_at, np.broadcast_to(np.arange(start, start + residual.shape[1]),
                                                          residual.shape)], axis=1)
            if merged.shape[1] > keep:
                top = np.argpartition(merged, keep - 1, axis=1)[:, :keep]
                merged, at = np.take_along_axis(merged, top, axis=1), np.take_along_axis(at, top, axis=1)
            best, best_at = merged, at
        Wf, Af = _masked(descriptors, cut_pos, _FINE, mirrored)
        scores = _residual(Wf, Af, fine[best_at], pairwise=True)                 # (C, keep)
        scores[~np.isfinite(best)] = np.inf
        order = np.argsort(scores, axis=1)[:, :_SHORTLIST]
        for row, p in enumerate(cut_pos):
            for col in order[row]:
                q = int(others[best_at[row, col]])
                if q != p and scores[row, col] <= _MAX_RESIDUAL:
                    pairs.add((p, q))
    return pairs
