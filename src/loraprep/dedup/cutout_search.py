"""Candidate search for transparent cut-outs: masked thumbnail distance to every picture, as a few matrix products.

A cut-out's background is gone, so whole-frame codes cannot find the picture it came from. Cut-outs
are few, so each is compared (inside its opaque area, brightness-normalised, both orientations) with
every picture at 24x24 in a handful of BLAS products: O(cut-outs x N) multiply-adds, not Python loops.
"""

from __future__ import annotations

import numpy as np

from loraprep.dedup.descriptor import Descriptor

_SIDE = 24
_SHORTLIST = 16         # best matches per cut-out handed to the strict verification (copies come in bunches)
_MAX_RESIDUAL = 0.35    # residual variance share above this is not worth verifying
_BLOCK = 4096           # pictures per block: bounds memory to a few MB per block


def _pool(arr: np.ndarray, how: str) -> np.ndarray:
    k = arr.shape[-1] // _SIDE
    blocks = arr[..., : k * _SIDE, : k * _SIDE].reshape(*arr.shape[:-2], _SIDE, k, _SIDE, k)
    return blocks.min(axis=(-3, -1)) if how == "min" else blocks.mean(axis=(-3, -1))


def cutout_candidates(descriptors: list[Descriptor]) -> set[tuple[int, int]]:
    """Pairs (cut-out position, picture position) worth a strict verification."""
    cut_pos = [p for p, d in enumerate(descriptors) if d.alpha is not None and not d.flat]
    others = [p for p, d in enumerate(descriptors) if not d.flat]
    if not cut_pos or len(others) < 2:
        return set()
    lumas = _pool(np.stack([descriptors[p].luma for p in others]).astype(np.float32), "mean").reshape(len(others), -1)
    pairs: set[tuple[int, int]] = set()
    for mirrored in (False, True):
        weights, centred = [], []
        for p in cut_pos:
            d = descriptors[p]
            luma, alpha = (d.luma[:, ::-1], d.alpha[:, ::-1]) if mirrored else (d.luma, d.alpha)
            w = (_pool(alpha.astype(np.float32), "min") >= 250).astype(np.float32).reshape(-1)
            a = _pool(luma.astype(np.float32), "mean").reshape(-1)
            if w.sum() < 8:
                w = (_pool(alpha.astype(np.float32), "mean") / 255.0).reshape(-1) ** 4
            mean = (w * a).sum() / max(w.sum(), 1e-6)
            weights.append(w)
            centred.append(a - mean)
        W, A = np.stack(weights), np.stack(centred)                      # (C, 576)
        sw = W.sum(axis=1, keepdims=True) + 1e-6
        a_energy = (W * A * A).sum(axis=1, keepdims=True)                   # (C, 1)
        best = np.full((len(cut_pos), _SHORTLIST), np.inf, np.float32)
        best_at = np.full((len(cut_pos), _SHORTLIST), -1, np.int64)
        for start in range(0, len(others), _BLOCK):
            B = lumas[start: start + _BLOCK]                                # (n, 576)
            wb = W @ B.T                                                    # sum w*b
            wbb = W @ (B * B).T                                             # sum w*b^2
            wab = (W * A) @ B.T                                             # sum w*a*b  (a centred)
            b_var = wbb - wb * wb / sw                                      # weighted energy of centred b
            # best gain g in a*g ~ b (contrast change), residual = b_var - wab^2 / a_energy
            with np.errstate(invalid="ignore", divide="ignore"):  # blank tiles: 0/0 becomes nan, never a match
                residual = (b_var - wab * wab / np.maximum(a_energy, 1e-6)) / np.maximum(b_var, a_energy)
            residual[np.isnan(residual)] = np.inf
            gain = wab / np.maximum(a_energy, 1e-6)
            residual[(gain < 0.7) | (gain > 1.4)] = np.inf
            merged = np.concatenate([best, residual.astype(np.float32)], axis=1)
            at = np.concatenate([best_at, np.broadcast_to(np.arange(start, start + len(B)), residual.shape)], axis=1)
            order = np.argsort(merged, axis=1)[:, :_SHORTLIST]
            best = np.take_along_axis(merged, order, axis=1)
            best_at = np.take_along_axis(at, order, axis=1)
        for row, p in enumerate(cut_pos):
            for score, col in zip(best[row], best_at[row]):
                q = others[int(col)] if col >= 0 else -1
                if q >= 0 and q != p and score <= _MAX_RESIDUAL:
                    pairs.add((p, q))
    return pairs
