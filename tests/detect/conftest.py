"""The project-built tiny detector and multi-figure pictures with their ground truth."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
TINY_DETECTOR = EXAMPLES / "tiny_detector"
sys.path.insert(0, str(TINY_DETECTOR))

import figures  # noqa: E402


@pytest.fixture(scope="session")
def tiny_detector():
    from loraprep.detect.yolo import load_detector

    return load_detector(str(TINY_DETECTOR), device="cpu")


def draw(path: Path, picture, fmt: str | None = None) -> Path:
    img = figures.render(picture)
    fmt = fmt or {".jpg": "JPEG", ".png": "PNG", ".webp": "WEBP"}[path.suffix]
    path.parent.mkdir(parents=True, exist_ok=True)
    img.save(path, fmt, **({"quality": 88} if fmt in ("JPEG", "WEBP") else {}))
    return path
