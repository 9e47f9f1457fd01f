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
