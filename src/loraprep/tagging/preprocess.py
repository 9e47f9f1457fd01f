"""WD input contract: decode, alpha onto white, white square pad, resize to the model size, BGR float32 0..255."""

from __future__ import annotations

from pathlib import Path
from typing import BinaryIO

import numpy as np

from loraprep import settings

WHITE = (255, 255, 255)
_ALPHA_MODES = {"RGBA", "LA", "PA", "RGBa", "La"}


def open_for_model(source: Path | BinaryIO, size: int):
    """Open an image (a path, or a binary file already open, e.g. from object storage) for a ``size`` px model,
    letting JPEG decode at a reduced scale (Image.draft)."""
    from PIL import Image, ImageOps

    from loraprep.regular_file import require_regular

    Image.MAX_IMAGE_PIXELS = settings.max_pixels()
    if isinstance(source, (str, Path)):
        require_regular(source)              # a FIFO swapped in since the scan would block Pillow's open
    img = Image.open(source)
    try:
        if img.format == "JPEG":
            # The longest side only needs to stay >= size: everything is padded to a square of that side.
            w, h = img.size
            scale = size / max(w, h)
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
