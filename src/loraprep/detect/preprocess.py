"""YOLO input contract: RGB on white, letterboxed to the model's size (grey 114 pad), NCHW float32 0..1."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from loraprep.tagging.preprocess import open_for_model, to_rgb_on_white

PAD = (114, 114, 114)  # ultralytics' LetterBox fill (ultralytics/data/augment.py, LetterBox.__call__)


@dataclass(frozen=True)
class Geometry:
    """How a model input maps back to the source: source pixels = (input pixels - pad) / scale."""

    scale_x: float
    scale_y: float
    pad_x: float
    pad_y: float
    width: int   # the source image, in its displayed orientation
    height: int

    def to_source(self, box) -> tuple[float, float, float, float]:
        x0, y0, x1, y1 = box
        clip = lambda v, hi: min(max(v, 0.0), float(hi))  # noqa: E731
        return (clip((x0 - self.pad_x) / self.scale_x, self.width), clip((y0 - self.pad_y) / self.scale_y, self.height),
                clip((x1 - self.pad_x) / self.scale_x, self.width), clip((y1 - self.pad_y) / self.scale_y, self.height))


def letterbox(img, height: int, width: int, source_size: tuple[int, int] | None = None):
    """(CHW float32 RGB 0..1 array, Geometry) for an opened image; ``source_size`` is the image's true size when
    ``img`` was decoded at a reduced scale (JPEG draft)."""
    from PIL import Image

    rgb = to_rgb_on_white(img)
    w, h = rgb.size
    scale = min(width / w, height / h)
    nw, nh = max(1, round(w * scale)), max(1, round(h * scale))
    if (nw, nh) != (w, h):
        rgb = rgb.resize((nw, nh), Image.BILINEAR)
    px, py = (width - nw) // 2, (height - nh) // 2
    canvas = np.empty((height, width, 3), np.uint8)
    canvas[...] = PAD
    canvas[py:py + nh, px:px + nw] = np.asarray(rgb, np.uint8)
    sw, sh = source_size or (w, h)
    geometry = Geometry(nw / sw, nh / sh, float(px), float(py), int(sw), int(sh))
    return np.ascontiguousarray(canvas.transpose(2, 0, 1), np.float32) * np.float32(1 / 255), geometry


def load_input(path: Path, height: int, width: int, source_size: tuple[int, int] | None = None):
    """One file, decoded (JPEG at a reduced scale when the model is smaller) and letterboxed."""
    with open_for_model(Path(path), max(height, width)) as img:
        return letterbox(img, height, width, source_size)
