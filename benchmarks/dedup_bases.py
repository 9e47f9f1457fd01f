"""Base pictures for the dedup benchmark besides photos and anime scenes: photo-like noise textures, flat-colour drawings, uneven crops."""

from __future__ import annotations

import random

import numpy as np
from PIL import Image

try:
    from benchmarks import dedup_draw as draw
except ImportError:  # run as a script from benchmarks/
    import dedup_draw as draw

CROP_KINDS = ("one", "corner", "opposite", "four")
MAX_CUT = 0.15          # a crop keeps at least 85% of each dimension (docs/concepts.md, "the same picture")


def noise_texture(rng: random.Random, size) -> Image.Image:
    """Photo-like noise: smooth noise over several scales plus grain, in a random tint and contrast."""
    w, h = size
    gen = np.random.default_rng(rng.randrange(1 << 30))
    out = np.zeros((h, w, 3), np.float32)
    for cells in (3, 6, 12, 24, 48):
        small = (gen.normal(0, 40, (cells, cells, 3)) + 128).clip(0, 255).astype(np.uint8)
        layer = np.asarray(Image.fromarray(small).resize((w, h), Image.Resampling.BICUBIC), np.float32) - 128
        out += layer * (6 / cells) ** 0.5
    out += gen.normal(0, 5, out.shape)
    tint = np.array([rng.uniform(0.6, 1.0) for _ in range(3)], np.float32)
    out = (out - out.mean()) / (out.std() + 1e-6) * rng.uniform(25, 55) * tint + rng.uniform(80, 170)
    return Image.fromarray(out.clip(0, 255).astype(np.uint8), "RGB")


def flat_drawing(rng: random.Random, size) -> Image.Image:
    """A few flat regions with hard edges in 3-5 random colours (not the shared anime palette)."""
    colours = [tuple(rng.randrange(256) for _ in range(3)) for _ in range(rng.randrange(3, 6))]
    return draw.palette_composition(rng, size, colours)


def _split(rng: random.Random, total: float, sides: str) -> tuple[float, float]:
    """(low, high) cut of one dimension: ``total`` from the low side, the high side or both, split at random."""
    if sides == "lo":
        return total, 0.0
    if sides == "hi":
        return 0.0, total
    share = rng.uniform(0.1, 0.9)
    return total * share, total * (1 - share)


def uneven_crop_box(rng: random.Random, kind: str) -> tuple[float, float, float, float]:
    """(left, right, top, bottom) fractions cut: ``kind`` one side, a corner (two adjacent sides), two opposite
    sides or all four, each dimension losing 3-15% split unevenly between its sides."""
    def total() -> float:
        return rng.uniform(0.03, MAX_CUT)

    if kind == "one":
        box = [0.0] * 4
        box[rng.randrange(4)] = total()
        return tuple(box)
    if kind == "corner":
        return _split(rng, total(), rng.choice(["lo", "hi"])) + _split(rng, total(), rng.choice(["lo", "hi"]))
    if kind == "opposite":
        cut = _split(rng, total(), "both")
        return cut + (0.0, 0.0) if rng.random() < 0.5 else (0.0, 0.0) + cut
    if kind == "four":
        return _split(rng, total(), "both") + _split(rng, total(), "both")
    raise ValueError(kind)


def crop(img: Image.Image, box) -> Image.Image:
    w, h = img.size
    left, right, top, bottom = box
    return img.crop((round(left * w), round(top * h), w - round(right * w), h - round(bottom * h)))
