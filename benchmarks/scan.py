"""Benchmark: `loraprep scan` against a bare parallel Pillow decode of the same files, plus an unchanged rescan."""

from __future__ import annotations

import argparse
import shutil
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import machine, make_photo_like, run_cli, timed  # noqa: E402


def generate(root: Path, n: int, seed: int = 0) -> None:
    import numpy as np

    rng = np.random.default_rng(seed)
    marker = root / f".generated-{n}"
    if marker.exists():
        return
    shutil.rmtree(root, ignore_errors=True)
    for i in range(n):
        w, h = int(rng.integers(640, 1025)), int(rng.integers(640, 1025))
        img = make_photo_like(rng, w, h)
        folder = root / f"concept_{i % 4}"
        folder.mkdir(parents=True, exist_ok=True)
        if i % 2:
            img.save(folder / f"{i:05d}.jpg", quality=90)
        else:
            img.save(folder / f"{i:05d}.png", compress_level=1)
    marker.write_text("ok")


def bare_decode(paths: list[Path]) -> int:
    """The baseline: read + fully decode every file in a thread pool, nothing else."""
    from PIL import Image
    import os

    def one(p: Path) -> int:
        with Image.open(p) as img:
            img.load()
            return img.size[0]

    with ThreadPoolExecutor(max_workers=os.cpu_count()) as pool:
        return sum(pool.map(one, paths))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--n", type=int, default=2000)
    parser.add_argument("--data", type=Path, default=Path("bench-data/scan"))
    args = parser.parse_args()
    root = args.data / str(args.n)
    generate(root, args.n)
    shutil.rmtree(root / ".loraprep", ignore_errors=True)
    paths = sorted(p for p in root.rglob("*") if p.suffix in (".jpg", ".png"))
    bare_decode(paths[:50])  # warm the page cache for both contenders alike
    bare_decode(paths)
    t_bare, _ = timed(bare_decode, paths)
    t_scan, rss = run_cli("scan", str(root), "--json")
    t_rescan, _ = run_cli("scan", str(root), "--json")
    print(f"machine: {machine()}")
    print(f"command: python benchmarks/scan.py --n {args.n}")
    print(f"images: {len(paths)}")
    print(f"bare parallel Pillow decode: {t_bare:.2f} s")
    print(f"loraprep scan (fresh, incl. process start): {t_scan:.2f} s  ratio {t_scan / t_bare:.2f} (target <= 1.15)")
    print(f"loraprep scan (unchanged rescan): {t_rescan:.2f} s (target < 1 s)")
    print(f"peak memory of the scan process: {rss} MiB")


if __name__ == "__main__":
    main()
