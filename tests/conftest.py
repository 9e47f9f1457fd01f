"""Shared fixtures: small generated images and datasets, and the guard that sources are never touched."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import pytest


def make_image(path: Path, size=(800, 800), color=(200, 30, 30), mode="RGB", fmt=None, **save) -> Path:
    """Write a small image with a gradient (so encoders keep detail) and return its path."""
    import numpy as np
    from PIL import Image

    path.parent.mkdir(parents=True, exist_ok=True)
    w, h = size
    yy, xx = np.mgrid[0:h, 0:w]
    base = np.stack([(xx * 255 // max(w - 1, 1)), (yy * 255 // max(h - 1, 1)), np.full_like(xx, color[2])], -1)
    arr = ((base.astype(np.uint16) + np.array(color[:3])) // 2).astype(np.uint8)
    img = Image.fromarray(arr, "RGB")
    if mode != "RGB":
        img = img.convert(mode)
    img.save(path, format=fmt, **save)
    return path


def snapshot_sources(root: Path) -> dict[str, tuple[str, int]]:
    """sha256 and mtime of every file under root, except loraprep's own state folder."""
    result = {}
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = [d for d in dirnames if d != ".loraprep"]
        for name in filenames:
            p = Path(dirpath, name)
            if p.is_symlink():
                continue
            try:
                data = p.read_bytes()
            except PermissionError:
                data = b"<unreadable>"
            result[str(p.relative_to(root))] = (hashlib.sha256(data).hexdigest(), p.stat().st_mtime_ns)
    return result


@pytest.fixture
def source_guard():
    """Call guard(root) before a command and guard.check() after: the sources must be byte- and mtime-identical."""

    class Guard:
        def __init__(self):
            self.roots: list[tuple[Path, dict]] = []

        def __call__(self, root: Path) -> Path:
            self.roots.append((root, snapshot_sources(root)))
            return root

        def check(self, *, ignore: set[str] = frozenset()) -> None:
            for root, before in self.roots:
                after = snapshot_sources(root)
                for key in ignore:
                    before.pop(key, None)
                    after.pop(key, None)
                assert after == before, "source files changed"

    guard = Guard()
    yield guard
    guard.check(ignore={"loraprep.toml"})


@pytest.fixture
def small_dataset(tmp_path: Path) -> Path:
    """Two concepts, a caption, a small image, an alpha PNG, a WebP."""
    root = tmp_path / "my_lora"
    make_image(root / "outfit_a" / "001.jpg", (900, 800), quality=90)
    (root / "outfit_a" / "001.txt").write_text("red hair, solo, smile", encoding="utf-8")
    make_image(root / "outfit_a" / "002.png", (600, 400), color=(20, 200, 30))
    make_image(root / "outfit_b" / "003.png", (800, 800), color=(20, 20, 200), mode="RGBA")
    make_image(root / "outfit_b" / "004.webp", (820, 800), color=(120, 20, 200), fmt="WEBP")
    return root
