"""Pictures with several drawn characters (blobby) for detection and crops, and their ground-truth boxes."""

from __future__ import annotations

import random
import sys
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tiny_tagger"))
import scenes  # noqa: E402


@dataclass
class Figures:
    """A background and some figures, each (cx, cy, r) in pixels (r: the blob's radius)."""

    width: int
    height: int
    background: str
    figures: list[tuple[float, float, float]]


def random_figures(rng: random.Random, width: int, height: int, count: int, background: str = "white",
                   radius: tuple[float, float] = (0.12, 0.2)) -> Figures:
    """``count`` figures side by side that never touch (fewer when they do not fit)."""
    side = min(width, height)
    placed: list[tuple[float, float, float]] = []
    for _ in range(count):
        for _try in range(200):
            r = rng.uniform(*radius) * side
            cx = rng.uniform(0.9 * r + 4, width - 0.9 * r - 4)
            cy = rng.uniform(1.2 * r + 4, height - r - 4)
            box = figure_box((cx, cy, r))
            if all(_apart(box, figure_box(f), 0.15 * side) for f in placed):
                placed.append((cx, cy, r))
                break
    return Figures(width, height, background, placed)


def figure_box(figure: tuple[float, float, float]) -> tuple[float, float, float, float]:
    """The box a figure covers: body and antennae (examples/tiny_tagger/scenes.py _blobby)."""
    cx, cy, r = figure
    return (cx - 0.85 * r, cy - 1.15 * r, cx + 0.85 * r, cy + 0.95 * r)


def boxes(picture: Figures) -> list[tuple[float, float, float, float]]:
    return [figure_box(f) for f in picture.figures]


def render(picture: Figures):
    from PIL import Image, ImageDraw

    scene = scenes.Scene(picture.width, picture.height, picture.background)
    img = scenes.render(scene)
    draw = ImageDraw.Draw(img)
    for cx, cy, r in picture.figures:
        scenes._blobby(draw, cx, cy, r, scenes.BLOBBY_BODY)
    return img


def labels(picture: Figures) -> set[str]:
    """The raw tags a correct tagger gives: the character and its face, on a plain background."""
    scene = scenes.Scene(picture.width, picture.height, picture.background, blobby=(0.5, 0.5, 0.3))
    return scenes.labels(scene)


def _apart(a, b, gap: float) -> bool:
    return a[2] + gap < b[0] or b[2] + gap < a[0] or a[3] + gap < b[1] or b[3] + gap < a[1]
