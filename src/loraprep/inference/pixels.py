"""Decode a user's file for any model: reduced JPEG decode, EXIF orientation, transparency onto white."""

from __future__ import annotations

from pathlib import Path
from typing import BinaryIO

import numpy as np

from loraprep import settings

WHITE = (255, 255, 255)
_ALPHA_MODES = {"RGBA", "LA", "PA", "RGBa", "La"}


def open_for_model(source: Path | BinaryIO, size: int, *, cover: bool = False):
    """Open an image (a path, or a binary file already open, e.g. from object storage) for a ``size`` px model,
    letting JPEG decode at a reduced scale (Image.draft).

    By default the longest side stays >= size (for a model that pads to a square); ``cover`` keeps both sides
    >= size (for one that stretches the picture to a square).
    """
    from PIL import Image, ImageOps

    from loraprep.regular_file import require_regular

    Image.MAX_IMAGE_PIXELS = settings.max_pixels()
    if isinstance(source, (str, Path)):
        require_regular(source)              # a FIFO swapped in since the scan would block Pillow's open
    img = Image.open(source)
    try:
        if img.format == "JPEG":
            # The sides the model needs stay >= size (the longest for a padded square, both for a stretched one).
            w, h = img.size
            scale = size / (min(w, h) if cover else max(w, h))
            if scale < 1:
                img.draft("RGB", (max(1, int(w * scale) + 1), max(1, int(h * scale) + 1)))
        img.load()
        ImageOps.exif_transpose(img, in_place=True)
        return img
    except Exception:
        img.close()
        raise


def to_rgb_on_white(img):
    """RGB image with any transparency composited onto white; 16-bit and CMYK modes converted sensibly."""
    from PIL import Image

    if img.mode in ("I;16", "I;16B", "I;16L", "I;16N", "I"):
        arr = np.asarray(img, dtype=np.float64)
        peak = 65535.0 if img.mode.startswith("I;16") else max(float(arr.max()), 1.0)
        img = Image.fromarray(np.clip(arr * (255.0 / peak), 0, 255).astype(np.uint8), "L")
    has_alpha = img.mode in _ALPHA_MODES or "transparency" in img.info
    if not has_alpha:
        return img if img.mode == "RGB" else img.convert("RGB")
    rgba = img.convert("RGBA")
    background = Image.new("RGBA", rgba.size, WHITE + (255,))
    background.alpha_composite(rgba)
    return background.convert("RGB")
