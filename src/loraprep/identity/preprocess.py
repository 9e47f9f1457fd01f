"""CCIP input contract: RGB on white, stretched to the model's square side (bilinear), CLIP mean/std, NCHW."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from loraprep.inference.pixels import open_for_model, to_rgb_on_white

# imgutils/metrics/ccip.py (_preprocess_image, _normalize): resize to size x size without keeping the aspect,
# BILINEAR, /255, then the CLIP statistics per channel.
MEAN = np.array((0.48145466, 0.4578275, 0.40821073), np.float32).reshape(3, 1, 1)
STD = np.array((0.26862954, 0.26130258, 0.27577711), np.float32).reshape(3, 1, 1)


def prepare(img, size: int) -> np.ndarray:
    """An opened PIL image as one CCIP input: (3, size, size) float32, normalised."""
    from PIL import Image

    rgb = to_rgb_on_white(img).resize((size, size), Image.BILINEAR)
    data = np.asarray(rgb, dtype=np.float32).transpose(2, 0, 1) / 255.0
    return (data - MEAN) / STD


def load_tensor(path: Path, size: int) -> np.ndarray:
    """One file, decoded and prepared for CCIP."""
    with open_for_model(path, size, cover=True) as img:
        return prepare(img, size)
