"""Helpers shared by the benchmark scripts: machine description, timing, child peak memory."""

from __future__ import annotations

import os
import platform
import resource
import subprocess
import sys
import time


def machine() -> str:
    cpu = platform.processor() or ""
    try:
        with open("/proc/cpuinfo") as fh:
            for line in fh:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    return f"{os.cpu_count()} cores, {cpu}, Python {platform.python_version()}, {platform.system()}"


def timed(fn, *args, **kwargs):
    start = time.perf_counter()
    result = fn(*args, **kwargs)
    return time.perf_counter() - start, result


def run_cli(*args: str, src: str | None = None) -> tuple[float, int]:
    """Run the loraprep CLI in a fresh process (from the ``src`` tree when given); returns (wall seconds, peak RSS in
    MiB of that process)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    env = None if src is None else dict(os.environ, PYTHONPATH=src)
    start = time.perf_counter()
    subprocess.run([sys.executable, "-m", "loraprep", *args], check=True, stdout=subprocess.DEVNULL, env=env)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return wall, max(after, before) // 1024


def make_photo_like(rng, width: int, height: int):
    """A random smooth image with shapes: compresses like a real picture, cheap to generate."""
    import numpy as np
    from PIL import Image, ImageDraw

    small = rng.integers(0, 255, (8, 8, 3), dtype=np.uint8)
    img = Image.fromarray(small, "RGB").resize((width, height), Image.BICUBIC)
    draw = ImageDraw.Draw(img)
    for _ in range(6):
        x, y = int(rng.integers(0, width)), int(rng.integers(0, height))
        r = int(rng.integers(20, min(width, height) // 3))
        draw.ellipse((x - r, y - r, x + r, y + r), fill=tuple(int(v) for v in rng.integers(0, 255, 3)))
    return img
