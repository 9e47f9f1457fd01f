"""A crop of a mostly one-colour picture is grouped with it (the overlap near-identical); a moved mark is not."""

from __future__ import annotations

import random

import pytest
from PIL import Image, ImageDraw, ImageEnhance

from loraprep.dedup import find_duplicate_groups
from loraprep.dedup.low_info import low_info_verdicts
from tests.dedup.helpers import grouping, record
from tests.dedup.test_identical import _page, _png


def _grey_photo(rng: random.Random, size) -> Image.Image:
    """A near-featureless grey picture: a faint gradient and one object near a corner (a lens, a lamp)."""
    w, h = size
    img = Image.linear_gradient("L").resize(size).point(lambda v: 120 + v // 16).convert("RGB")
    d = ImageDraw.Draw(img)
    x, y, r = rng.uniform(0.6, 0.8) * w, rng.uniform(0.6, 0.8) * h, rng.uniform(0.08, 0.12) * min(w, h)
    d.ellipse([x - r, y - r, x + r, y + r], fill=(225, 225, 220), outline=(60, 60, 60), width=4)
    return img


def _cut(img: Image.Image, left: float, top: float, right: float, bottom: float) -> Image.Image:
    w, h = img.size
    return img.crop((round(left * w), round(top * h), round(w - right * w), round(h - bottom * h)))


@pytest.mark.parametrize("seed", [11, 12, 13])
def test_uneven_crops_of_a_mostly_one_colour_picture_are_grouped_with_it(seed):
    rng = random.Random(seed)
    size = (rng.randrange(360, 640), rng.randrange(360, 640))
    if seed % 2:
        base = _page(rng, size, (248, 246, 240), [(rng.uniform(0.3, 0.6), rng.uniform(0.3, 0.6), (60, 70, 110))])
    else:
        base = _grey_photo(rng, size)
    one = _cut(base, rng.uniform(0.06, 0.12), 0, 0, 0)                                  # one side
    corner = _cut(base, 0, rng.uniform(0.04, 0.1), rng.uniform(0.04, 0.1), 0)           # two adjacent sides
    four = _cut(base, *(rng.uniform(0.01, 0.05) for _ in range(4)))                       # all four, unevenly
    smaller = corner.resize((corner.width * 2 // 3, corner.height * 2 // 3), Image.Resampling.LANCZOS)
    darker = ImageEnhance.Brightness(one).enhance(0.93)
    recs = [record("base.png", _png(base))]
    recs += [record(f"{name}.png", _png(img)) for name, img in
             (("one", one), ("corner", corner), ("four", four), ("smaller", smaller), ("darker", darker))]
    recs.append(record("corner.jpg", _png(corner, "JPEG"), "JPEG"))
    assert all(r.descriptor.low_info for r in recs)
    assert set(grouping(find_duplicate_groups(recs)).items()) == {(r.image_id, "base.png") for r in recs}


@pytest.mark.parametrize("dx, dy", [(0.05, 0.05), (-0.06, 0.0), (0.04, -0.04)])
def test_a_mark_that_moved_is_no_crop_even_when_a_crop_would_explain_it(dx, dy):
    rng = random.Random(5)
    size, paper, ink = (500, 420), (244, 244, 240), (50, 80, 120)
    at = (0.45, 0.5)
    here = _page(random.Random(5), size, paper, [(at[0], at[1], ink)])
    moved = _page(random.Random(5), size, paper, [(at[0] + dx, at[1] + dy, ink)])
    a, b = (record(n, _png(p)).descriptor for n, p in (("a", here), ("b", moved)))
    assert a.low_info and b.low_info and rng
    ((distance, _, _), (back, _, _)) = low_info_verdicts([a, b], [b, a])
    assert distance > 50 and back > 50
