"""Cut-out candidate search helpers: block pooling and opaque-cell weights equal their plain numpy definitions."""

from __future__ import annotations

import numpy as np
import pytest

from loraprep.dedup import cutout_search
from loraprep.dedup.descriptor import CHROMA, THUMB, Descriptor


def _reference_pool(arr: np.ndarray, side: int, how: str) -> np.ndarray:
    k = arr.shape[-1] // side
    blocks = arr[..., : k * side, : k * side].reshape(*arr.shape[:-2], side, k, side, k)
    return blocks.min(axis=(-3, -1)) if how == "min" else blocks.mean(axis=(-3, -1))


@pytest.mark.parametrize("shape", [(48, 48), (5, 48, 48), (2, 3, 50, 50)])
@pytest.mark.parametrize("side", [16, 24])
@pytest.mark.parametrize("how", ["mean", "min"])
def test_pool_is_the_block_mean_or_min_to_the_bit(shape, side, how):
    arr = np.random.default_rng(7).integers(0, 256, shape).astype(np.float32)
    got = cutout_search._pool(arr, side, how)
    want = _reference_pool(arr, side, how)
    assert got.shape == want.shape and got.dtype == want.dtype
    assert np.array_equal(got, want)


def _cutout(rng, solid_rows: int) -> Descriptor:
    alpha = np.zeros((THUMB, THUMB), np.uint8)
    alpha[:solid_rows] = 255
    alpha[solid_rows: solid_rows + 6] = 120                      # a soft edge
    luma = rng.integers(0, 256, (THUMB, THUMB)).astype(np.uint8)
    flat = np.full((CHROMA, CHROMA), 128, np.uint8)
    return Descriptor(THUMB, THUMB, b"k" * 32, luma, flat, flat, np.zeros(5, np.uint64), alpha)


def _reference_masked(descriptors, side, mirrored):
    weights, centred = [], []
    for d in descriptors:
        luma, alpha = (d.luma[:, ::-1], d.alpha[:, ::-1]) if mirrored else (d.luma, d.alpha)
        alpha = alpha.astype(np.float32)
        w = (_reference_pool(alpha, side, "min") >= 250).astype(np.float32).reshape(-1)
        if w.sum() < max(4, side * side // 72):
            w = (_reference_pool(alpha, side, "mean") / 255.0).reshape(-1) ** 4
        a = _reference_pool(luma.astype(np.float32), side, "mean").reshape(-1)
        weights.append(w)
        centred.append(a - (w * a).sum() / max(w.sum(), 1e-6))
    return np.stack(weights), np.stack(centred)


@pytest.mark.parametrize("mirrored", [False, True])
@pytest.mark.parametrize("side", [16, 24])
def test_masked_weights_batch_equals_one_by_one(mirrored, side):
    rng = np.random.default_rng(3)
    # a large opaque area (hard weights) and a sliver (too few solid cells: soft weights)
    cuts = [_cutout(rng, 30), _cutout(rng, 0), _cutout(rng, 12), _cutout(rng, 2)]
    w, centred = cutout_search._masked(cuts, list(range(len(cuts))), side, mirrored)
    want_w, want_c = _reference_masked(cuts, side, mirrored)
    assert np.array_equal(w, want_w)
    assert np.allclose(centred, want_c, rtol=0, atol=1e-4)
    assert not np.array_equal(w[0], w[1])                           # both weight kinds were exercised


def test_the_cutouts_split_over_threads_find_the_same_pairs(monkeypatch):
    rng = np.random.default_rng(11)
    pictures = []
    for _ in range(40):
        luma = rng.integers(0, 256, (THUMB, THUMB)).astype(np.uint8)
        flat = np.full((CHROMA, CHROMA), 128, np.uint8)
        pictures.append(Descriptor(THUMB, THUMB, b"p" * 32, luma, flat, flat, np.zeros(5, np.uint64)))
    cuts = []
    for source in pictures[:7]:                                    # each cut from a picture: its pair is findable
        cut = _cutout(rng, 28)
        cuts.append(Descriptor(THUMB, THUMB, b"c" * 32, source.luma, cut.cb, cut.cr, cut.codes, cut.alpha))
    descriptors = pictures + cuts
    monkeypatch.setattr(cutout_search, "cores", lambda: 1)
    alone = cutout_search.cutout_candidates(descriptors)
    monkeypatch.setattr(cutout_search, "cores", lambda: 3)
    assert cutout_search.cutout_candidates(descriptors) == alone
    assert {(40 + i, i) for i in range(7)} <= alone
