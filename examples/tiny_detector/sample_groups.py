"""The sample's group pictures (several characters each), for detection and crops: plan, tags, boxes, files."""

from __future__ import annotations

import random
from pathlib import Path

import figures

# relative path -> (seed, (width, height), figures, background)
GROUPS: dict[str, tuple] = {
    "blobby/group_01.png": (501, (1280, 720), 2, "gradient"),
    "blobby/group_02.jpg": (502, (1400, 800), 3, "white"),
    "blobby/group_03.png": (503, (1200, 900), 3, "black"),
}


def picture(rel: str) -> figures.Figures:
    seed, (w, h), count, background = GROUPS[rel]
    return figures.random_figures(random.Random(seed), w, h, count, background, radius=(0.18, 0.22),
                                  stretches=(0.75, 1.3))


def expected() -> dict[str, set[str]]:
    """Raw tag names a correct tagger gives each group picture."""
    return {rel: figures.labels(picture(rel)) for rel in GROUPS}


def boxes() -> dict[str, list[tuple[float, float, float, float]]]:
    """The drawn characters' boxes: what a correct person detector finds."""
    return {rel: figures.boxes(picture(rel)) for rel in GROUPS}


def build(out: Path) -> None:
    for rel in GROUPS:
        path = out / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        img = figures.render(picture(rel))
        if path.suffix == ".jpg":
            img.save(path, "JPEG", quality=88)
        else:
            img.save(path, "PNG", optimize=True)
