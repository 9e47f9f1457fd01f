"""Cheap numpy views of a decoded frame's planes (no colour conversion): the per-frame signals read these."""

from __future__ import annotations

import numpy as np

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


def small_planes(frame) -> np.ndarray:
    """(3, h, w) float32: luma and both chroma planes subsampled to about SMALL_WIDTH samples a row, 8-bit scale.
    Strided views of the decoded planes, so the cost does not grow with the resolution."""
    if not _planar_yuv(frame):
        small = frame.reformat(width=SMALL_WIDTH, height=max(2, SMALL_WIDTH * frame.height // max(frame.width, 1)),
                               format="yuv444p")
        return np.stack([_plane(small, i, 8) for i in range(3)]).astype(np.float32)
    depth = depth_of(frame)
    y = _plane(frame, 0, depth)
    step = max(1, frame.width // SMALL_WIDTH)
    ys = y[::step, ::step]
    u, v = _plane(frame, 1, depth), _plane(frame, 2, depth)
    cstep_x = max(1, step * u.shape[1] // max(y.shape[1], 1))
    cstep_y = max(1, step * u.shape[0] // max(y.shape[0], 1))
    h, w = ys.shape
    us = u[::cstep_y, ::cstep_x][:h, :w]
    vs = v[::cstep_y, ::cstep_x][:h, :w]
    h, w = min(h, us.shape[0]), min(w, us.shape[1])
    out = np.stack([ys[:h, :w], us[:h, :w], vs[:h, :w]]).astype(np.float32)
    if depth > 8:
        out *= 1.0 / (1 << (depth - 8))
    return out
