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
    luma_count: int
    luma_shape: tuple[int, int]
    parts: tuple                    # (plane index, sampled shape, sampling step) per plane


class ChangeMeter:
    """The same figures as ``signals.content_change(previous, planes.small_planes(frame))`` and the mean of the
    small luma plane, for every frame of a file, at a fraction of their cost.

    Those functions make a dozen numpy calls and a dozen PyAV property reads a frame; at 24 fps that Python
    overhead, not the arithmetic, was the largest cost left beside the decoder. Here the frame's layout is
    worked out once per format and size, the samples go straight from strided views of the planes into one
    of two preallocated float32 rows (no casts in the arithmetic after that), the difference is taken in
    place, and each sum is a dot product with ones (a BLAS call: a microsecond where ``ndarray.sum`` took
    ten). Every sum is of whole numbers under 2**24, so float32 adds them exactly, in any order: the figures are the same to
    the last bit as the functions' (tests/acquire/video/test_meter.py)."""

    def __init__(self) -> None:
        self._key = None
        self._layout: _Layout | None = None
        self._views: list = []        # per buffer: samples, |difference|, and their luma / chroma parts
        self._targets: list = []      # per buffer, each plane's place in its samples
        self._ones: np.ndarray | None = None
        self._current = 0
        self._has_previous = False

    def reset(self) -> None:
        """The next frame has no neighbour (after a seek)."""
        self._has_previous = False

    def feed(self, frame) -> Reading:
        layout = self._layout_of(frame)
        samples, difference, luma_samples, luma_difference, chroma_difference = self._views[self._current]
        if layout.fast:
            planes = frame.planes
            for (index, shape, step), target in zip(layout.parts, self._targets[self._current]):
                plane = planes[index]
                line = plane.line_size              # read every frame: a buffer pool may pad another way
                if line <= 0 or (shape[0] - 1) * line * step + (shape[1] - 1) * step >= plane.buffer_size:
                    samples[...] = small_planes(frame).packed      # bottom-up rows, or a short plane
                    break
                target[...] = np.ndarray(shape, np.uint8, plane, 0, (line * step, step))
        else:
            samples[...] = small_planes(frame).packed
        np.subtract(samples, self._views[1 - self._current][0], out=difference)
        np.abs(difference, out=difference)
        ones, ny = self._ones, layout.luma_count
        brightness = float(luma_samples.dot(ones[:ny])) / ny
        change = 0.0
        if self._has_previous:
            chroma = samples.size - ny
            luma_mean = float(luma_difference.dot(ones[:ny])) / ny
            chroma_means = float(chroma_difference.dot(ones[:chroma])) * 2 / chroma if chroma else 0.0
            change = (luma_mean + chroma_means) / (3 if chroma else 1)
        self._has_previous = True
        self._current = 1 - self._current
        return Reading(change, brightness)

    def luma(self) -> np.ndarray:
        """The small luma plane of the frame fed last (uint8, as planes.small_planes gives it)."""
        layout = self._layout
        return self._views[1 - self._current][2].astype(np.uint8).reshape(layout.luma_shape)

    def _layout_of(self, frame) -> _Layout:
        key = (frame.format.name, frame.width, frame.height)
        if key != self._key:
            self._key, layout = key, _layout(frame)
            ny, n = layout.luma_count, sum(shape[0] * shape[1] for _, shape, _ in layout.parts)
            rows = np.zeros((2, 2, n), np.float32)
            self._views = [(r[1], r[0], r[1, :ny], r[0, :ny], r[0, ny:]) for r in rows]
            self._targets = [[], []]
            offset = 0
            for _, shape, _ in layout.parts:
                for k in (0, 1):
                    self._targets[k].append(rows[k, 1, offset:offset + shape[0] * shape[1]].reshape(shape))
                offset += shape[0] * shape[1]
            self._ones = np.ones(n, np.float32)
            self._layout = layout
            self._has_previous = False                   # frames of another size are not compared
        return self._layout


def _layout(frame) -> _Layout:
    if planar_yuv(frame) and depth_of(frame) == 8:
        step = max(1, frame.width // SMALL_WIDTH)
        parts = []
        for index, plane in enumerate(frame.planes[:3]):
            parts.append((index, (len(range(0, plane.height, step)), len(range(0, plane.width, step))), step))
        luma_shape = parts[0][1]
        return _Layout(True, luma_shape[0] * luma_shape[1], luma_shape, tuple(parts))
    small = small_planes(frame)                # other formats: the general path, planes laid out as it packs them
    n, ny = small.packed.size, small.luma_count
    chroma = (n - ny) // 2
    parts = ((0, small.luma.shape, None), (1, (chroma, 1), None), (2, (chroma, 1), None))
    return _Layout(False, ny, small.luma.shape, parts)
