"""The 3x3 local range the verifiers use, against a plain padded reference."""

from __future__ import annotations

import numpy as np

from loraprep.dedup.local import local_range


def _reference(img: np.ndarray) -> np.ndarray:
    pad = np.pad(img, 1, mode="edge")
    h, w = img.shape
    views = [pad[dy: dy + h, dx: dx + w] for dy in range(3) for dx in range(3)]
    return np.max(views, axis=0) - np.min(views, axis=0)


def test_local_range_matches_reference_on_planes_and_stacks():
    rng = np.random.default_rng(4)
    plane = (rng.random((9, 7)) * 255).astype(np.float32)
    assert np.array_equal(local_range(plane), _reference(plane))
    stack = (rng.random((2, 6, 6)) * 255).astype(np.float32)
    out = local_range(stack)
    assert out.shape == stack.shape
    assert all(np.array_equal(out[i], _reference(stack[i])) for i in range(2))
    assert not local_range(np.full((5, 5), 7.0, np.float32)).any()       # flat: no range
