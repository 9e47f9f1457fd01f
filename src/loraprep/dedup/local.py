"""Array helper shared by the verifiers: the 3x3 local range (max - min) of thumbnails, in a few numpy calls."""

from __future__ import annotations

import numpy as np


def _running(img: np.ndarray, step: int, axis: int, fold) -> np.ndarray:
    """``fold`` (np.maximum or np.minimum) of each pixel and its two neighbours along ``axis`` (-1 or -2, edges clamp).

    The neighbours ``step`` apart in the flat buffer are folded in two long contiguous passes (fast,
    whatever the thumbnail side); the first and last pixel of every line, where that crosses into the
    next line or picture, are then redone on their own."""
    flat = img.reshape(-1)
    out = np.empty_like(img)
    o = out.reshape(-1)
    fold(flat[: -2 * step], flat[step: -step], out=o[step: -step])
    fold(o[step: -step], flat[2 * step:], out=o[step: -step])
    first = [slice(None)] * img.ndim
    second, last, before_last = list(first), list(first), list(first)
    first[axis], second[axis], last[axis], before_last[axis] = 0, 1, -1, -2
    fold(img[tuple(first)], img[tuple(second)], out=out[tuple(first)])
    fold(img[tuple(last)], img[tuple(before_last)], out=out[tuple(last)])
    return out


def local_range(img: np.ndarray) -> np.ndarray:
    """max - min over each pixel's 3x3 neighbourhood (edges clamp); works on stacks (..., h, w) of h, w >= 2.

    Separable running maxima and minima (see _running): the verifiers run this on stacks of thousands
    of thumbnails, where the number of memory passes is the cost."""
    img = np.ascontiguousarray(img)
    w = img.shape[-1]
    high = _running(_running(img, 1, -1, np.maximum), w, -2, np.maximum)
    low = _running(_running(img, 1, -1, np.minimum), w, -2, np.minimum)
    return np.subtract(high, low, out=high)
