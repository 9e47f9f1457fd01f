"""Letterbox and pillarbox bars: the black border common to frames sampled across the whole episode."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from loraprep.acquire.video.signals import bright_level, full_range_luma

BAR_LEVEL = 20.0        # a row or column whose brightest sample stays under this (0-255) is bar
MIN_BAR = 0.01          # a border thinner than 1% of the side (and 2 px) is left alone
PROBES = 12             # frames sampled across the episode to find the bars


@dataclass(frozen=True)
class Crop:
    """Pixels to cut from each side of the coded picture."""

    left: int
    top: int
    right: int
    bottom: int

    def box(self, width: int, height: int) -> tuple[int, int, int, int]:
        return self.left, self.top, width - self.right, height - self.bottom

    def as_list(self) -> list[int]:
        return [self.left, self.top, self.right, self.bottom]


class BarFinder:
    """Brightest value per row and per column over every frame it was shown (memory: one row and one column)."""

    def __init__(self, full_range: bool) -> None:
        self.full_range = full_range
        self.rows: np.ndarray | None = None
        self.cols: np.ndarray | None = None

    def add(self, luma_plane: np.ndarray) -> None:
        y = np.asarray(luma_plane)
        if bright_level(y, self.full_range) < BAR_LEVEL:      # a black frame says nothing about the bars
            return
        # the brightest sample of each row and column, converted after: the conversion never changes which
        # sample is brightest, and converting 2 rows of maxima costs nothing where the plane costs milliseconds
        rows, cols = (full_range_luma(y.max(axis=axis), self.full_range) for axis in (1, 0))
        if self.rows is None or self.rows.shape != rows.shape or self.cols.shape != cols.shape:
            self.rows, self.cols = rows, cols
        else:
            self.rows, self.cols = np.maximum(self.rows, rows), np.maximum(self.cols, cols)

    def crop(self) -> Crop | None:
        """The bars every frame shown had, or None when there are none (or no frame had a picture)."""
        if self.rows is None:
            return None
        top, bottom = _dark_run(self.rows), _dark_run(self.rows[::-1])
        left, right = _dark_run(self.cols), _dark_run(self.cols[::-1])
        if top + bottom >= len(self.rows) or left + right >= len(self.cols):
            return None
        found = Crop(left, top, right, bottom)
        return found if any(found.as_list()) else None


def _dark_run(values: np.ndarray) -> int:
    """Length of the dark run at the start of ``values``; 0 when it is too thin to be a bar."""
    bright = np.flatnonzero(values >= BAR_LEVEL)
    run = int(bright[0]) if len(bright) else len(values)
    return run if run >= max(2, MIN_BAR * len(values)) else 0


def fits(crop: Crop, luma_plane: np.ndarray, full_range: bool) -> bool:
    """True when this frame is black where the bars are: cropping it cuts no picture."""
    y = luma_plane
    h, w = y.shape
    parts = [y[:crop.top], y[h - crop.bottom:], y[:, :crop.left], y[:, w - crop.right:]]
    return all(p.size == 0 or float(full_range_luma(p, full_range).max()) < BAR_LEVEL for p in parts)
