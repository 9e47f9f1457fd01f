"""Every decoded frame's content change and brightness in a few numpy calls: the per-frame cost of --scenes."""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from loraprep.acquire.video.planes import SMALL_WIDTH, depth_of, planar_yuv, small_planes


class Reading(NamedTuple):
    """One frame's signals: content change from the frame before (signals.content_change) and mean luma."""

    change: float
    brightness: float


class _Layout(NamedTuple):
    fast: bool                      # 8-bit planar YUV: strided views of the decoder's planes, no conversion
    step: int
    luma_count: int
    luma_shape: tuple[int, int]
    parts: tuple                    # (plane index, rows, line size, columns, offset, sampled shape) per plane


class ChangeMeter:
    """The same figures as ``signals.content_change(previous, planes.small_planes(frame))`` and the mean of the
    small luma plane, for every frame of a file, at a fraction of their cost.

    Those functions make a dozen numpy calls and a dozen PyAV property reads a frame; at 24 fps that Python
    overhead, not the arithmetic, was the largest cost left beside the decoder. Here the frame's layout is
    worked out once per format and size, the samples go straight into one of two preallocated float32 rows
    (no casts in the arithmetic after that), and the difference is taken in place. Every sum is of whole
    numbers under 2**24, so float32 adds them exactly: the figures are the same to
    the last bit as the functions' (tests/acquire/video/test_meter.py)."""

    def __init__(self) -> None:
        self._key = None
        self._layout: _Layout | None = None
        self._rows: np.ndarray | None = None      # (2, 2, n): per buffer [|difference|, samples]
        self._targets: list = []                  # per buffer, each plane's place in its samples row
        self._current = 0
        self._has_previous = False

    def reset(self) -> None:
        """The next frame has no neighbour (after a seek)."""
        self._has_previous = False

    def feed(self, frame) -> Reading:
        layout = self._layout_of(frame)
        rows = self._rows[self._current]
        samples = rows[1]
        if layout.fast:
            planes, step = frame.planes, layout.step
            for (index, height, line, columns, _, _), target in zip(layout.parts, self._targets[self._current]):
                target[...] = np.frombuffer(planes[index], np.uint8, height * line).reshape(height, line)[
                    ::step, :columns:step]
        else:
            samples[...] = small_planes(frame).packed
        previous = self._rows[1 - self._current][1]
        difference = rows[0]
        np.subtract(samples, previous, out=difference)
        np.abs(difference, out=difference)
        ny = layout.luma_count
        brightness = float(samples[:ny].sum()) / ny
        change = 0.0
        if self._has_previous:
            chroma = samples.size - ny
            luma_mean = float(difference[:ny].sum()) / ny
            chroma_means = float(difference[ny:].sum()) * 2 / chroma if chroma else 0.0
            change = (luma_mean + chroma_means) / (3 if chroma else 1)
        self._has_previous = True
        self._current = 1 - self._current
        return Reading(change, brightness)

    def luma(self) -> np.ndarray:
        """The small luma plane of the frame fed last (uint8, as planes.small_planes gives it)."""
        layout = self._layout
        samples = self._rows[1 - self._current][1]
        return samples[:layout.luma_count].astype(np.uint8).reshape(layout.luma_shape)

    def _layout_of(self, frame) -> _Layout:
        key = (frame.format.name, frame.width, frame.height)
        if key != self._key:
            self._key, self._layout = key, _layout(frame)
            n = sum(shape[0] * shape[1] for *_, shape in self._layout.parts)
            self._rows = np.zeros((2, 2, n), np.float32)
            self._targets = [[rows[1, offset:offset + shape[0] * shape[1]].reshape(shape)
                              for *_, offset, shape in self._layout.parts] for rows in self._rows]
            self._has_previous = False                   # frames of another size are not compared
        return self._layout


def _layout(frame) -> _Layout:
    if planar_yuv(frame) and depth_of(frame) == 8:
        step = max(1, frame.width // SMALL_WIDTH)
        parts, offset = [], 0
        for index, plane in enumerate(frame.planes[:3]):
            rows, columns = len(range(0, plane.height, step)), len(range(0, plane.width, step))
            parts.append((index, plane.height, plane.line_size, plane.width, offset, (rows, columns)))
            offset += rows * columns
        luma_shape = parts[0][5]
        return _Layout(True, step, luma_shape[0] * luma_shape[1], luma_shape, tuple(parts))
    small = small_planes(frame)                # other formats: the general path, planes laid out as it packs them
    n, ny = small.packed.size, small.luma_count
    chroma = (n - ny) // 2
    parts = ((0, 0, 0, 0, 0, small.luma.shape), (1, 0, 0, 0, ny, (chroma, 1)), (2, 0, 0, 0, ny + chroma, (chroma, 1)))
    return _Layout(False, 1, ny, small.luma.shape, parts)
