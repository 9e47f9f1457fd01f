"""Crops that keep 85-90% of each dimension, from any sides in any split, are grouped with their source; overlapping crops that are no crop of each other are not."""

from __future__ import annotations

import io
import random

import pytest
from PIL import Image

from benchmarks.dedup_bases import crop, flat_drawing, noise_texture
from loraprep.dedup import find_duplicate_groups
from tests.dedup.helpers import record

# (left, right, top, bottom) shares of the whole cut, one dimension at a time: one side, a corner
# (two adjacent sides), two opposite sides split unevenly, all four sides split unevenly
SHAPES = {
    "one side": [((1, 0), None), ((0, 1), None), (None, (1, 0)), (None, (0, 1))],
    "corner": [((1, 0), (1, 0)), ((0, 1), (1, 0)), ((1, 0), (0, 1)), ((0, 1), (0, 1))],
    "opposite": [((0.7, 0.3), None), (None, (0.2, 0.8)), ((0.35, 0.65), None), (None, (0.9, 0.1))],
    "four": [((0.75, 0.25), (0.3, 0.7)), ((0.15, 0.85), (0.8, 0.2)), ((0.6, 0.4), (0.55, 0.45)), ((0.3, 0.7), (0.1, 0.9))],
}
MAKERS = {"noise": noise_texture, "flat": flat_drawing}
CASES = 12    # pictures per maker and kind, of different sizes, cuts and formats


def _box(shape, rng: random.Random) -> tuple[float, float, float, float]:
    out = []
    for split in shape:
        total = rng.uniform(0.10, 0.15)           # keeps 85-90% of the dimension
        out += [0.0, 0.0] if split is None else [total * split[0], total * split[1]]
    return tuple(out)


def _encode(img: Image.Image, fmt: str) -> bytes:
    buf = io.BytesIO()
    img.save(buf, fmt, **({"quality": 92} if fmt == "JPEG" else {}))
    return buf.getvalue()


@pytest.mark.parametrize("maker", sorted(MAKERS))
@pytest.mark.parametrize("shape", sorted(SHAPES))
def test_uneven_crop_is_grouped_with_its_source(maker, shape):
    rng = random.Random(f"{maker}/{shape}")
    missed = []
    for case in range(CASES):
        size = (rng.randrange(260, 640), rng.randrange(260, 640))
        base = MAKERS[maker](rng, size)
        box = _box(SHAPES[shape][case % len(SHAPES[shape])], rng)
        cut = crop(base, box)
        fmt = rng.choice(["PNG", "JPEG", "WEBP"])
        recs = [record(f"src{case}.png", _encode(base, "PNG")), record(f"cut{case}", _encode(cut, fmt), fmt)]
        groups = find_duplicate_groups(recs)
        if len(groups) != 1:
            missed.append((size, tuple(round(v, 3) for v in box), fmt))
            continue
        (group,) = groups
        assert group.keeper_id == f"src{case}.png" and "cropped" in group.members[0].why
    # the benchmark's recall on these kinds is 0.90-0.95 (README); two misses in twelve are allowed, three are not
    assert len(missed) <= 2, missed


@pytest.mark.parametrize("maker", sorted(MAKERS))
@pytest.mark.parametrize("axis", ["x", "y"])
def test_overlapping_crops_that_are_no_crop_of_each_other_stay_apart(maker, axis):
    rng = random.Random(f"overlap/{maker}/{axis}")
    for _ in range(6):
        base = MAKERS[maker](rng, (rng.randrange(300, 600), rng.randrange(300, 600)))
        cut = 1 - rng.uniform(0.78, 0.82)
        ends = [(cut, 0, 0, 0), (0, cut, 0, 0)] if axis == "x" else [(0, 0, cut, 0), (0, 0, 0, cut)]
        recs = [record(f"part{i}", _encode(crop(base, box), "PNG")) for i, box in enumerate(ends)]
        assert find_duplicate_groups(recs) == []


@pytest.mark.parametrize("maker", sorted(MAKERS))
@pytest.mark.parametrize("axes", ["x", "y", "xy"])
def test_crop_keeping_under_85_percent_of_a_dimension_is_another_picture(maker, axes):
    """The rule (docs/concepts.md): a crop must keep 85% of each dimension; one keeping 76-80%, even split
    between both sides so that no side loses more than 15%, is a different picture."""
    rng = random.Random(f"too-far/{maker}/{axes}")
    for case in range(6):
        base = MAKERS[maker](rng, (rng.randrange(300, 600), rng.randrange(300, 600)))
        box = [0.0] * 4
        for axis in axes:
            total, share = rng.uniform(0.20, 0.24), rng.uniform(0.4, 0.6)
            at = 0 if axis == "x" else 2
            box[at], box[at + 1] = total * share, total * (1 - share)
        recs = [record(f"whole{case}.png", _encode(base, "PNG")), record(f"part{case}", _encode(crop(base, tuple(box)), "PNG"))]
        assert find_duplicate_groups(recs) == [], box
