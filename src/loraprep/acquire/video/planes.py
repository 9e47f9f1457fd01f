"""Cheap numpy views of a decoded frame's planes (no colour conversion): the per-frame signals read these."""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from loraprep.acquire.video.scaler import reformat

SMALL_WIDTH = 96          # every frame is judged on planes about this wide: a few microseconds, not milliseconds


def _plane(frame, index: int, depth: int) -> np.ndarray:
    """One plane as a 2-D array of its samples (uint8, or uint16 for deeper formats), padding cut off."""
    plane = frame.planes[index]
    dtype = np.dtype("<u2") if depth > 8 else np.dtype(np.uint8)
    rows = np.frombuffer(plane, dtype, plane.line_size // dtype.itemsize * plane.height)
    return rows.reshape(plane.height, plane.line_size // dtype.itemsize)[:, :plane.width]


def planar_yuv(frame) -> bool:
    name = frame.format.name
    return name.startswith(("yuv", "yuvj")) and len(frame.planes) >= 3 and not name.startswith(("yuyv", "uyvy"))


def depth_of(frame) -> int:
    return max((c.bits for c in frame.format.components), default=8)


def luma(frame, step: int = 1) -> np.ndarray:
    """The luma plane (every ``step``-th sample) on an 8-bit scale, as stored (limited or full range)."""
    if not planar_yuv(frame):
        return np.asarray(frame.reformat(format="gray").to_ndarray())[::step, ::step]
    depth = depth_of(frame)
    y = _plane(frame, 0, depth)[::step, ::step]
    return (y >> (depth - 8)).astype(np.uint8) if depth > 8 else y


def reduced_luma(frame, short_side: int) -> np.ndarray:
    """Luma scaled down by swscale (area averaging) so the shorter side is about ``short_side``: what the blur
    score reads, a few milliseconds at 1080p where a numpy reduction of the full plane took tens."""
    short = min(frame.width, frame.height)
    if short <= short_side:
        return luma(frame)
    scale = short_side / short
    width, height = max(2, round(frame.width * scale)), max(2, round(frame.height * scale))
    return reformat(frame, "reduced luma", width=width, height=height, format="gray", interpolation="AREA").to_ndarray()


class Small(NamedTuple):
    """A frame's small planes packed in one uint8 array: luma samples first, then U, then V (as many as U)."""

    packed: np.ndarray
    luma: np.ndarray          # the luma part as (rows, columns), a view into packed

    @property
    def luma_count(self) -> int:
        return self.luma.size


def small_planes(frame) -> Small:
    """Luma subsampled to about SMALL_WIDTH samples a row and both chroma planes at the same step on their own
    grid (half as dense each way for 4:2:0, as the stream stores them), 8-bit scale, packed in one array.
    Strided views of the decoded planes copied once (a few hundredths of a millisecond at 1080p), so the cost
    does not grow with the resolution."""
    if not planar_yuv(frame):
        small = frame.reformat(width=SMALL_WIDTH, height=max(2, SMALL_WIDTH * frame.height // max(frame.width, 1)),
                               format="yuv444p")
        planes = [_plane(small, i, 8) for i in range(3)]
        return _pack(planes[0], planes[1][::2, ::2], planes[2][::2, ::2], 8)
    depth = depth_of(frame)
    step = max(1, frame.width // SMALL_WIDTH)
    y, u, v = (_plane(frame, i, depth)[::step, ::step] for i in range(3))
    return _pack(y, u, v, depth)


def _pack(y: np.ndarray, u: np.ndarray, v: np.ndarray, depth: int) -> Small:
    ny, nc = y.size, u.size
    packed = np.empty(ny + 2 * nc, np.uint8)
    for part, start, count in ((y, 0, ny), (u, ny, nc), (v, ny + nc, nc)):
        target = packed[start:start + count].reshape(part.shape)
        if depth > 8:
            np.right_shift(part, depth - 8, out=target, casting="unsafe")
        else:
            target[...] = part
    return Small(packed, packed[:ny].reshape(y.shape))
