"""Two near-featureless pictures that differ by few levels everywhere are not the same picture; their crops are."""

from __future__ import annotations

import random

import numpy as np
import pytest
from PIL import Image, ImageDraw

from loraprep.dedup import find_duplicate_groups, resolve_threshold
from loraprep.dedup.verify import compare
from tests.dedup.helpers import grouping, record
from tests.dedup.test_identical import _png


def _ramp(rng: random.Random, size, start: float, end: float, texture: float) -> np.ndarray:
    """(h, w) grey levels going from ``start`` at the left edge to ``end`` at the right, with soft blotches of
    about ``texture`` levels."""
    w, h = size
    gen = np.random.default_rng(rng.randrange(1 << 30))
    soft = np.asarray(Image.fromarray(gen.normal(0, 1, (8, 8)).astype(np.float32)).resize((w, h), Image.Resampling.BICUBIC))
    return start + (end - start) * np.linspace(0, 1, w, dtype=np.float32)[None, :] + texture * soft


def _grey(levels: np.ndarray) -> Image.Image:
    return Image.fromarray(np.repeat(levels[..., None], 3, axis=2).clip(0, 255).astype(np.uint8), "RGB")


def _grey_sky(rng: random.Random, size) -> Image.Image:
    """A grey sky getting darker to the right, a pale lamp in the lower right corner (a near-featureless photo)."""
    w, h = size
    img = _grey(_ramp(rng, size, rng.uniform(160, 170), rng.uniform(140, 148), 1.0))
    d = ImageDraw.Draw(img)
    r = rng.uniform(0.12, 0.16) * min(w, h)
    cx, cy = w - rng.uniform(0.2, 0.5) * r, h - rng.uniform(0.2, 0.5) * r
    d.ellipse([cx - r, cy - r, cx + r, cy + r], fill=(185, 185, 182), outline=(200, 200, 200), width=3)
    return img


def _grey_surface(rng: random.Random, size) -> Image.Image:
    """Another grey photo: a surface getting lighter to the right, blotchy, with a few specks and a dark patch in the
    lower left corner."""
    w, h = size
    img = _grey(_ramp(rng, size, rng.uniform(100, 104), rng.uniform(118, 122), 4.0))
    d = ImageDraw.Draw(img)
    for _ in range(4):
        x, y, r = rng.uniform(0, w), rng.uniform(0, h), rng.uniform(1.5, 3)
        d.ellipse([x - r, y - r, x + r, y + r], fill=(80, 80, 80))
    r = rng.uniform(0.06, 0.1) * min(w, h)
    d.ellipse([-r, h - r, r, h + r], fill=(25, 25, 25))
    return img


@pytest.mark.parametrize("seed", range(12))
def test_two_different_grey_pictures_are_not_grouped(seed):
    rng = random.Random(seed)
    size = (rng.randrange(420, 600), rng.randrange(380, 600))
    sky, surface = _grey_sky(rng, size), _grey_surface(rng, (rng.randrange(420, 600), rng.randrange(380, 600)))
    a, b = record("sky.png", _png(sky)), record("surface.png", _png(surface))
    assert find_duplicate_groups([a, b]) == []
    # the strict test alone (as if the codes had proposed the pair) refuses them at the default threshold
    assert compare(a.descriptor, b.descriptor).distance > resolve_threshold("default")


@pytest.mark.parametrize("seed", range(3))
def test_crops_of_a_grey_picture_are_still_grouped(seed):
    rng = random.Random(100 + seed)
    w, h = rng.randrange(480, 640), rng.randrange(400, 560)
    sky = _grey_sky(rng, (w, h))
    corner = sky.crop((0, int(0.07 * h), int(0.92 * w), h))
    four = sky.crop((int(0.02 * w), int(0.05 * h), int(0.95 * w), int(0.97 * h)))
    recs = [record("sky.png", _png(sky)), record("corner.png", _png(corner)), record("four.png", _png(four))]
    assert set(grouping(find_duplicate_groups(recs)).values()) == {"sky.png"}
