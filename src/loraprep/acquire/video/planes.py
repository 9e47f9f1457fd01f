"""Cheap numpy views of a decoded frame's planes (no colour conversion): the per-frame signals read these."""

from __future__ import annotations

import numpy as np

from loraprep.acquire.video.scaler import reformat

SMALL_WIDTH = 96          # every frame is judged on planes about this wide: a few microseconds, not milliseconds


def _plane(frame, index: int, depth: int) -> np.ndarray:
    """One plane as a 2-D array of its samples (uint8, or uint16 for deeper formats), padding cut off."""
    plane = frame.planes[index]
    dtype = np.dtype("<u2") if depth > 8 else np.dtype(np.uint8)
    rows = np.frombuffer(plane, dtype, plane.line_size // dtype.itemsize * plane.height)
    return rows.reshape(plane.height, plane.line_size // dtype.itemsize)[:, :plane.width]


def _planar_yuv(frame) -> bool:
    name = frame.format.name
    return name.startswith(("yuv", "yuvj")) and len(frame.planes) >= 3 and not name.startswith(("yuyv", "uyvy"))


def depth_of(frame) -> int:
    return max((c.bits for c in frame.format.components), default=8)


def luma(frame, step: int = 1) -> np.ndarray:
    """The luma plane (every ``step``-th sample) on an 8-bit scale, as stored (limited or full range)."""
    if not _planar_yuv(frame):
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


def small_planes(frame) -> np.ndarray:
    """(3, h, w) int16: luma and both chroma planes subsampled to about SMALL_WIDTH samples a row, 8-bit scale.
    Strided views of the decoded planes copied once into one small array (about 0.1 ms a frame at 1080p), so
    the cost does not grow with the resolution."""
    if not _planar_yuv(frame):
        small = frame.reformat(width=SMALL_WIDTH, height=max(2, SMALL_WIDTH * frame.height // max(frame.width, 1)),
                               format="yuv444p")
        return np.stack([_plane(small, i, 8) for i in range(3)]).astype(np.int16)
    depth = depth_of(frame)
    planes = frame.planes
    step = max(1, frame.width // SMALL_WIDTH)
    y = _plane(frame, 0, depth)[::step, ::step]
    u, v = _plane(frame, 1, depth), _plane(frame, 2, depth)
    cx = max(1, step * planes[1].width // max(frame.width, 1))
    cy = max(1, step * planes[1].height // max(frame.height, 1))
    u, v = u[::cy, ::cx], v[::cy, ::cx]
    h, w = min(y.shape[0], u.shape[0]), min(y.shape[1], u.shape[1])
    out = np.empty((3, h, w), np.int16)
    out[0], out[1], out[2] = y[:h, :w], u[:h, :w], v[:h, :w]
    if depth > 8:
        out >>= depth - 8
    return out
