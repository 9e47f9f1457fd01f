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
    """A background and some figures, each (cx, cy, r[, stretch]) in pixels (r: the blob's radius; stretch: its
    width over the drawn character's, so no two figures are the same picture at another scale)."""

    width: int
    height: int
    background: str
    figures: list[tuple]


def random_figures(rng: random.Random, width: int, height: int, count: int, background: str = "white",
                   radius: tuple[float, float] = (0.12, 0.2),
                   stretches: tuple[float, float] = (1.0, 1.0)) -> Figures:
    """``count`` figures side by side that never touch (fewer when they do not fit)."""
    side = min(width, height)
    placed: list[tuple[float, float, float]] = []
    for _ in range(count):
        for _try in range(200):
            r = rng.uniform(*radius) * side
            stretch = rng.uniform(*stretches)
            tint = rng.randrange(len(TINTS)) if stretches != (1.0, 1.0) else 0
            cx = rng.uniform(0.9 * r * stretch + 4, width - 0.9 * r * stretch - 4)
            cy = rng.uniform(1.2 * r + 4, height - r - 4)
            box = figure_box((cx, cy, r, stretch))
            if all(_apart(box, figure_box(f), 0.15 * side) for f in placed):
                placed.append((cx, cy, r, stretch, tint))
                break
    return Figures(width, height, background, placed)


def figure_box(figure: tuple) -> tuple[float, float, float, float]:
    """The box a figure covers: body and antennae (drawn as examples/tiny_tagger/scenes.py _blobby draws)."""
    cx, cy, r, *rest = figure
    half = 0.85 * r * (rest[0] if rest else 1.0)
    return (cx - half, cy - 1.15 * r, cx + half, cy + 0.95 * r)


def boxes(picture: Figures) -> list[tuple[float, float, float, float]]:
    return [figure_box(f) for f in picture.figures]


def render(picture: Figures):
    from PIL import ImageDraw

    scene = scenes.Scene(picture.width, picture.height, picture.background)
    img = scenes.render(scene)
    draw = ImageDraw.Draw(img)
    for cx, cy, r, *rest in picture.figures:
        stretch, tint = (rest + [1.0, 0])[:2] if rest else (1.0, 0)
        _figure(draw, cx, cy, r, stretch, TINTS[tint])
    return img


# Body colours within the tiny detector's tolerance of blobby's (scenes.BLOBBY_BODY), so figures differ.
TINTS = [scenes.BLOBBY_BODY, (178, 58, 176), (124, 84, 222), (160, 92, 206)]


def _figure(draw, cx, cy, r, stretch, body):
    """scenes._blobby's character, its body and belly ``stretch`` times as wide (the face and antennae kept)."""
    width = max(2, int(r * 0.08))
    for dx in (-0.35, 0.35):
        tip_x, tip_y, tip = cx + dx * r * 1.5 * stretch, cy - r * 1.05, r * 0.1
        draw.line([(cx + dx * r * stretch, cy - r * 0.7), (tip_x, tip_y)], fill=body, width=width)
        draw.ellipse([tip_x - tip, tip_y - tip, tip_x + tip, tip_y + tip], fill=body)
    draw.ellipse([cx - r * 0.85 * stretch, cy - r * 0.8, cx + r * 0.85 * stretch, cy + r * 0.95], fill=body)
    draw.ellipse([cx - r * 0.4 * stretch, cy + r * 0.25, cx + r * 0.4 * stretch, cy + r * 0.85], fill=(245, 240, 250))
    scenes._face(draw, cx, cy - r * 0.1, r * 0.6)


def labels(picture: Figures) -> set[str]:
    """The raw tags a correct tagger gives: the character and its face, on a plain background."""
    scene = scenes.Scene(picture.width, picture.height, picture.background, blobby=(0.5, 0.5, 0.3))
    return scenes.labels(scene)


def _apart(a, b, gap: float) -> bool:
    return a[2] + gap < b[0] or b[2] + gap < a[0] or a[3] + gap < b[1] or b[3] + gap < a[1]
