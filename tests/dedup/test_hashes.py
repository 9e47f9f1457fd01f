"""Perceptual codes: the bit rule equals its plain definition, and a mirrored thumbnail gets the same whole-frame code."""

from __future__ import annotations

import numpy as np
import pytest

from loraprep.dedup import hashes


def _reference_bits(coef: np.ndarray) -> np.ndarray:
    """Even-frequency columns: c > median(c); odd ones: |c| > median(|c|); even bits first."""
    flat = coef.reshape(-1, 8, 8)
    out = []
    for block in flat:
        even, odd = block[:, 0::2].reshape(-1), np.abs(block[:, 1::2].reshape(-1))
        out.append(np.concatenate([even > np.median(even), odd > np.median(odd)]))
    return np.stack(out).reshape(coef.shape[:-2] + (64,))


@pytest.mark.parametrize("shape", [(8, 8), (5, 8, 8), (2, 3, 8, 8)])
def test_bits_equal_the_plain_median_rule(shape):
    rng = np.random.default_rng(5)
    for _ in range(50):
        coef = (rng.normal(size=shape) * rng.uniform(1, 500)).astype(np.float32)
        assert np.array_equal(hashes._bits_from_coefficients(coef), _reference_bits(coef))


def test_a_mirrored_thumbnail_has_the_same_frame_code():
    luma = np.random.default_rng(9).integers(0, 256, (48, 48)).astype(np.uint8)
    assert hashes.mirror_invariant_phash(luma) == hashes.mirror_invariant_phash(luma[:, ::-1].copy())
    assert hashes.mirror_invariant_phash(luma) != hashes.mirror_invariant_phash(luma[::-1].copy())


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("sizes", [(48, 48), (32, 48), (8, 61)])
def test_area_matrices_are_the_stacked_area_matrices_to_the_last_bit(dtype, sizes):
    n_out, n_in = sizes
    rng = np.random.default_rng(n_out * n_in)
    cuts = rng.uniform(0, 0.3, (40, 2)).astype(dtype)
    lo, hi = cuts[:, 0] * n_in, (1 - cuts[:, 1]) * n_in
    stacked = np.stack([hashes.area_matrix(n_out, n_in, a, b) for a, b in zip(lo, hi)])
    together = hashes.area_matrices(n_out, n_in, lo, hi)
    assert together.dtype == np.float32 and together.tobytes() == stacked.tobytes()
