"""Benchmark: `export --link` of 10,000 images (claim: < 10 s) and the conversion path vs a bare Pillow re-encode.

Each figure is a ratio to a baseline measured in the same run on the same files:
- link: export_dataset(..., "kohya", mode=link) against bare os.link of the same files;
- convert: exporting WebP sources (decode, RGB, PNG) against a bare Pillow open/convert/save of the same
  files with the same thread count and PNG settings.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import machine, make_photo_like, timed  # noqa: E402

from loraprep.export import ExportItem, ExportOptions, export_dataset  # noqa: E402


def make_link_dataset(root: Path, n: int) -> list[ExportItem]:
    """n JPEG files in 4 concepts; content is irrelevant to linking, so one small encoded image is reused."""
    import numpy as np

    sample = root / ".sample.jpg"
    if not sample.exists():
        root.mkdir(parents=True, exist_ok=True)
        make_photo_like(np.random.default_rng(0), 256, 256).save(sample, quality=85)
    data = sample.read_bytes()
    items = []
    for i in range(n):
        path = root / f"concept_{i % 4}" / f"{i:05d}.jpg"
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)
        items.append(ExportItem(f"id{i}", path, f"concept_{i % 4}", "", f"mychar, tag{i % 50}, tag{i % 7}",
                                1 + i % 4, "JPEG", "RGB", False))
    return items


def make_convert_dataset(root: Path, n: int, size: int) -> list[ExportItem]:
    import numpy as np

    rng = np.random.default_rng(1)
    items = []
    for i in range(n):
        path = root / "webp" / f"{i:04d}.webp"
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            make_photo_like(rng, size, size).save(path, "WEBP", quality=90)
        items.append(ExportItem(f"w{i}", path, "webp", "", "mychar, converted", 1, "WEBP", "RGB", False))
    return items


def bare_link(items: list[ExportItem], out: Path) -> None:
    for item in items:
        folder = out / item.concept
        folder.mkdir(parents=True, exist_ok=True)
        os.link(item.source, folder / item.source.name)


def bare_reencode(items: list[ExportItem], out: Path, workers: int) -> None:
    from PIL import Image

    out.mkdir(parents=True, exist_ok=True)

    def one(item: ExportItem) -> None:
        with Image.open(item.source) as im:
            im.convert("RGB").save(out / f"{item.source.stem}.png", "PNG", compress_level=1)

    with ThreadPoolExecutor(max_workers=workers) as pool:
        list(pool.map(one, items))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--images", type=int, default=10_000, help="images for the link benchmark")
    parser.add_argument("--convert-images", type=int, default=200, help="WebP images for the conversion benchmark")
    parser.add_argument("--size", type=int, default=768, help="side of the converted images")
    parser.add_argument("--data", type=Path, default=Path("bench-data/export"), help="where generated inputs are kept")
    args = parser.parse_args()
    workers = min(4, os.cpu_count() or 1)

    print(f"machine: {machine()}")
    print(f"command: python benchmarks/export.py --images {args.images} --convert-images {args.convert_images} "
          f"--size {args.size}")
    link_items = make_link_dataset(args.data / "link-src", args.images)
    convert_items = make_convert_dataset(args.data / "convert-src", args.convert_images, args.size)

    with tempfile.TemporaryDirectory(dir=args.data) as scratch:
        scratch = Path(scratch)
        base_s, _ = timed(bare_link, link_items, scratch / "bare-link")
        options = ExportOptions(out_dir=scratch / "out-link", dataset_root=args.data / "link-src",
                                trigger_words=("mychar",), workers=workers)
        link_s, report = timed(export_dataset, link_items, "kohya", options)
        assert report.counts["link"] == len(link_items)
        print(f"export --link {len(link_items)} images (kohya): {link_s:.2f} s "
              f"(bare os.link {base_s:.2f} s, ratio {link_s / base_s:.1f}x) -> claim < 10 s: "
              f"{'met' if link_s < 10 else 'NOT met'}")

        base_s, _ = timed(bare_reencode, convert_items, scratch / "bare-convert", workers)
        options = ExportOptions(out_dir=scratch / "out-convert", dataset_root=args.data / "convert-src",
                                trigger_words=("mychar",), workers=workers)
        conv_s, report = timed(export_dataset, convert_items, "kohya", options)
        assert report.counts["convert"] == len(convert_items)
        print(f"export with conversion, {len(convert_items)} WebP {args.size}px -> PNG: {conv_s:.2f} s "
              f"(bare Pillow re-encode {base_s:.2f} s, ratio {conv_s / base_s:.2f}x, {workers} threads)")
    shutil.rmtree(args.data / "out-link", ignore_errors=True)


if __name__ == "__main__":
    main()
