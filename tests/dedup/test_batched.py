"""Batched paths give the answers of their one-at-a-time definitions: verification, grouping, both-orientation cut-out search, mirrored thumbnails."""

from __future__ import annotations

import random

import numpy as np
import pytest
from PIL import ImageOps

from loraprep.dedup import cutout_search, describe_bytes
from loraprep.dedup.group import star_groups
from loraprep.dedup.verify import compare, compare_many
from tests.dedup.scenes import family, png, variant

KINDS = ["resize", "jpeg60", "crop", "bright", "mirror", "cutout", "watermark"]


@pytest.fixture(scope="module")
def descriptors():
    out = []
    for seed in (3, 13):
        base, mask, pose, dress, back = family(seed)
        out += [describe_bytes(png(img)) for img in (base, pose, dress, back)]
        out += [describe_bytes(variant(base, mask, kind)[0]) for kind in KINDS]
    return out


def test_compare_many_equals_compare_pair_by_pair(descriptors):
    rng = random.Random(5)
    pairs = [(rng.randrange(len(descriptors)), rng.randrange(len(descriptors))) for _ in range(60)]
    pairs += [(0, i) for i in range(1, len(descriptors))]                 # every variant against its base
    batched = compare_many([descriptors[a] for a, _ in pairs], [descriptors[b] for _, b in pairs])
    single = [compare(descriptors[a], descriptors[b]) for a, b in pairs]
    assert batched == single
    assert any(v.distance <= 2.5 for v in single) and any(v.distance > 2.5 for v in single)
    assert any(v.cutout for v in single) and any(v.mirrored for v in single)


@pytest.mark.parametrize("seed, largest, batch", [(11, 40, 8), (12, 400, 4), (13, 400, 16)])
def test_batched_grouping_equals_one_keeper_at_a_time(seed, largest, batch):
    """Large graphs with small batches rescan items a better-ranked candidate still holds back, many times over."""
    rng = random.Random(seed)
    for trial in range(30):
        n = rng.randrange(2, largest)
        order = list(range(n))
        rng.shuffle(order)
        candidates: dict[int, set[int]] = {i: set() for i in range(n)}
        for _ in range(rng.randrange(0, 3 * n)):
            a, b = rng.randrange(n), rng.randrange(n)
            if a != b:
                candidates[a].add(b)
                candidates[b].add(a)
        near = {frozenset(p) for p in ((rng.randrange(n), rng.randrange(n)) for _ in range(2 * n))}
        calls = []

        def accept(k, m):
            calls.append((k, m))
            return f"{k}-{m}" if frozenset((k, m)) in near else None

        never = {rng.randrange(n)}
        plain = star_groups(order, candidates, accept, never_member=never)
        needed = list(calls)
        batches = []

        def accept_many(pairs):
            batches.append(len(pairs))
            return [accept(k, m) for k, m in pairs]

        batched = star_groups(order, candidates, never_member=never, accept_many=accept_many, batch=batch)
        assert batched == plain, trial
        assert set(needed) <= set(calls[len(needed):])        # every verdict the plain run needed was asked for


def test_both_orientations_from_halves_equal_two_passes():
    rng = np.random.default_rng(3)
    side = 16
    W = (rng.random((5, side * side)) > 0.3).astype(np.float32)
    A = rng.normal(0, 40, (5, side * side)).astype(np.float32)
    B = rng.integers(0, 256, (9, side * side)).astype(np.float32)
    plain, mirror = cutout_search._residual_both(W, A, B, side)

    def flip(x):
        return x.reshape(len(x), side, side)[..., ::-1].reshape(len(x), -1)

    np.testing.assert_allclose(plain, cutout_search._residual(W, A, B, pairwise=False), rtol=1e-4, atol=1e-5)
    np.testing.assert_allclose(mirror, cutout_search._residual(flip(W), flip(A), B, pairwise=False),
                               rtol=1e-4, atol=1e-5)


@pytest.mark.parametrize("size", [(320, 320), (333, 251), (517, 389)])
def test_a_mirrored_picture_gives_the_mirrored_thumbnails(size):
    base = family(3)[0].resize(size)
    d, m = describe_bytes(png(base)), describe_bytes(png(ImageOps.mirror(base)))
    assert np.array_equal(d.luma, m.luma[:, ::-1])
    assert np.array_equal(d.cb, m.cb[:, ::-1]) and np.array_equal(d.cr, m.cr[:, ::-1])
    assert d.codes[0] == m.codes[0]                                      # the frame's code is mirror-invariant
    assert sorted(d.codes[1:]) == sorted(m.codes[1:])                    # crop probes: shifted the other way
