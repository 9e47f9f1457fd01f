"""WD input contract: decode, alpha onto white, white square pad, resize to the model size, BGR float32 0..255."""

from __future__ import annotations

from pathlib import Path
from typing import BinaryIO

import numpy as np

# Decoding is shared with every model family; the names stay importable from here.
from loraprep.inference.pixels import WHITE, open_for_model, to_rgb_on_white  # noqa: F401


def pad_resize(img, size: int, fill=WHITE):
    """Centre ``img`` on a ``fill`` square and scale it to ``size`` x ``size``.

    Scaling before padding gives the same picture as padding first (the pad is a flat colour) while resampling
    up to 60% fewer pixels for wide or tall images.
    """
    from PIL import Image

    w, h = img.size
    side = max(w, h)
    if side != size:
        nw, nh = max(1, round(w * size / side)), max(1, round(h * size / side))
        img = img.resize((nw, nh), Image.BICUBIC)
    else:
        nw, nh = w, h
    if (nw, nh) == (size, size):
        return img
    canvas = Image.new("RGB", (size, size), fill)
    canvas.paste(img, ((size - nw) // 2, (size - nh) // 2))
    return canvas


def to_bgr_array(img) -> np.ndarray:
    """HWC float32 BGR 0..255, the WD taggers' input layout for one image."""
    return np.asarray(img, dtype=np.float32)[:, :, ::-1]


def load_tensor(source: Path | BinaryIO, size: int) -> np.ndarray:
    """One file, fully prepared for a WD tagger: (size, size, 3) float32 BGR 0..255."""
    with open_for_model(source, size) as img:
        return prepare(img, size)


def prepare(img, size: int) -> np.ndarray:
    """An opened PIL image, prepared for a WD tagger: (size, size, 3) float32 BGR 0..255."""
    return to_bgr_array(pad_resize(to_rgb_on_white(img), size))
