"""Benchmark: `curate`, `caption --why` and `export` on one image whose caption file holds N tags, at N/4 and N.

    python benchmarks/curate_scaling.py [--tags 50000] [--runs 3]

The baseline is the same command on a quarter of the tags, in the same run: a linear pass takes about 4x as
long on 4x the tags, a quadratic one about 16x (before the fix, `curate` on 50,000 tags took 17.9 s).
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import machine, timed  # noqa: E402


def build(root: Path, tags: int) -> None:
    """One small PNG with a caption of ``tags`` distinct tags, scanned (the caption is imported)."""
    from PIL import Image

    from loraprep import ops

    shutil.rmtree(root, ignore_errors=True)
    (root / "concept").mkdir(parents=True)
    Image.new("RGB", (64, 64), (200, 30, 30)).save(root / "concept" / "001.png")
    words = ", ".join(f"tag {i:06d} {('red', 'blue', 'long', 'hair')[i % 4]}" for i in range(tags))
    (root / "concept" / "001.txt").write_text(f"1girl, solo, {words}", encoding="utf-8")
    (root / "loraprep.toml").write_text('trigger = ["mychar"]\n[rules]\nmax_tags = 30\n', encoding="utf-8")
    ops.scan(root, min_size=16)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--tags", type=int, default=50_000)
    parser.add_argument("--runs", type=int, default=3, help="timings per measure; the median is shown")
    parser.add_argument("--data", type=Path, default=Path("bench-data/curate-scaling"))
    args = parser.parse_args()

    from loraprep.ops.curate import caption, curate
    from loraprep.ops.export import export

    sizes = (args.tags // 4, args.tags)
    results: dict[str, list[float]] = {}
    for size in sizes:
        root = args.data / f"{size}"
        build(root, size)
        measures = {"curate --diff": lambda: curate(root),
                    "caption --why": lambda: caption(root, "concept/001.png", why=True),
                    "export": lambda: export(root, args.data / f"out-{size}")}
        for name, fn in measures.items():
            took = statistics.median(timed(fn)[0] for _ in range(args.runs))
            results.setdefault(name, []).append(took)
    print(f"machine: {machine()}")
    print(f"command: python benchmarks/curate_scaling.py --tags {args.tags} --runs {args.runs} "
          f"(medians of {args.runs} runs)")
    print(f"{'measure':<16}{sizes[0]:>10,} tags{sizes[1]:>10,} tags   ratio (linear ~4, quadratic ~16)")
    for name, (small, large) in results.items():
        print(f"{name:<16}{small:>13.2f} s{large:>13.2f} s   {large / small:5.1f}")


if __name__ == "__main__":
    main()
