"""Array helper shared by the verifiers: the 3x3 local range (max - min) of thumbnails, in a few numpy calls."""

from __future__ import annotations

import numpy as np


def local_range(img: np.ndarray) -> np.ndarray:
    """max - min over each pixel's 3x3 neighbourhood (edges clamp); works on stacks (..., h, w).

    One separable running maximum over the picture and its negative (whose maximum is minus the
    minimum), in place: verification calls this tens of thousands of times, so the number of numpy
    calls matters more than the arithmetic."""
    both = np.empty((2,) + img.shape, img.dtype)
    both[0] = img
    np.negative(img, out=both[1])
    for axis in (-1, -2):                  # along rows, then along columns of the result
        src = both.copy()
        head = [slice(None)] * both.ndim
        tail = [slice(None)] * both.ndim
        head[axis], tail[axis] = slice(1, None), slice(None, -1)
        np.maximum(both[tuple(head)], src[tuple(tail)], out=both[tuple(head)])
        np.maximum(both[tuple(tail)], src[tuple(head)], out=both[tuple(tail)])
    return both[0] + both[1]
