"""Generate examples/sample/: ~30 license-free shape scenes in 3 concept folders, with every kind of trouble planted.

    .venv/bin/python examples/make_sample.py            # (re)writes examples/sample deterministically

What is planted: captions (.txt, one with a UTF-8 BOM, one .caption), an exact duplicate (same bytes, other name),
a near-duplicate (resized + re-encoded JPEG), a transparent PNG, a WebP, an image under 768 px and a truncated JPEG.
The tiny demo tagger (examples/tiny_tagger) tags every readable image here correctly; EXPECTED says how.
"""

from __future__ import annotations

import argparse
import io
import random
import shutil
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE / "tiny_tagger"))
sys.path.insert(0, str(HERE / "tiny_detector"))
import sample_groups  # noqa: E402  - the group pictures detection and crops start from
import scenes  # noqa: E402

SIZES = [(1024, 1024), (1024, 800), (800, 1024), (960, 960), (1024, 768), (880, 1024), (800, 800)]

# relative path -> (seed, size, scene options, format, extra save args)
PLAN: dict[str, tuple] = {}
for i in range(1, 11):
    fmt = "PNG" if i == 9 else "WEBP" if i == 10 else "JPEG"
    ext = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp"}[fmt]
    PLAN[f"outfit_red/red_{i:02d}.{ext}"] = (100 + i, SIZES[i % len(SIZES)],
                                             {"colors": ["red"], "blobby": False,
                                              "background": "gradient" if i == 9 else "black" if i == 6 else "white"},
                                             fmt)
for i in range(1, 10):
    name = {8: "blue_08_transparent.png", 9: "blue_09_small.jpg"}.get(i, f"blue_{i:02d}.jpg")
    size = (640, 512) if i == 9 else SIZES[(i + 3) % len(SIZES)]
    background = "transparent" if i == 8 else "black" if i == 5 else "white"
    PLAN[f"outfit_blue/{name}"] = (200 + i, size, {"colors": ["blue"], "blobby": False, "background": background},
                                   "PNG" if name.endswith(".png") else "JPEG")
for i in range(1, 9):
    fmt = "PNG" if i == 4 else "JPEG"
    PLAN[f"blobby/blobby_{i:02d}.{'png' if fmt == 'PNG' else 'jpg'}"] = (
        300 + i, SIZES[(i + 1) % len(SIZES)],
        {"colors": ["green", "yellow"], "blobby": True, "background": "gradient" if i == 7 else "white"}, fmt)

DUPLICATE = ("outfit_blue/blue_02_copy.jpg", "outfit_blue/blue_02.jpg")   # same bytes
NEAR_DUPLICATE = ("outfit_blue/blue_03_near.jpg", "outfit_blue/blue_03.jpg")  # 85% size, quality 70
CORRUPT = "outfit_blue/blue_10_corrupt.jpg"                               # truncated JPEG
CAPTIONS = {
    "outfit_red/red_01.txt": "red theme, circle, white background",
    "outfit_red/red_02.txt": "\ufeffred theme, simple background, no humans",  # with a UTF-8 BOM
    "outfit_red/red_03.caption": "red theme, triangle",
    "outfit_blue/blue_01.txt": "blue theme, square, white background",
    "blobby/blobby_01.txt": "blobby (loraprep), ^_^, solo",
}


def scene_for(rel: str) -> "scenes.Scene":
    seed, (w, h), options, _ = PLAN[rel]
    return scenes.random_scene(random.Random(seed), w, h, **options)


def expected() -> dict[str, set[str] | None]:
    """Raw tag names a correct tagger gives each sample image; None for the corrupt file."""
    tags: dict[str, set[str] | None] = {rel: scenes.labels(scene_for(rel)) for rel in PLAN}
    tags[DUPLICATE[0]] = tags[DUPLICATE[1]]
    tags[NEAR_DUPLICATE[0]] = tags[NEAR_DUPLICATE[1]]
    tags[CORRUPT] = None
    tags.update(sample_groups.expected())
    return tags


def encode(img, fmt: str, **extra) -> bytes:
    buf = io.BytesIO()
    if fmt == "JPEG":
        img.convert("RGB").save(buf, "JPEG", quality=extra.get("quality", 85))
    elif fmt == "WEBP":
        img.save(buf, "WEBP", quality=85, method=4)
    else:
        img.save(buf, "PNG", optimize=True)
    return buf.getvalue()


def build(out: Path) -> None:
    from PIL import Image

    if out.exists():
        shutil.rmtree(out)
    for rel, (_, _, _, fmt) in PLAN.items():
        path = out / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(encode(scenes.render(scene_for(rel)), fmt))
    (out / DUPLICATE[0]).write_bytes((out / DUPLICATE[1]).read_bytes())
    with Image.open(out / NEAR_DUPLICATE[1]) as img:
        smaller = img.resize((int(img.width * 0.85), int(img.height * 0.85)), Image.BICUBIC)
    (out / NEAR_DUPLICATE[0]).write_bytes(encode(smaller, "JPEG", quality=70))
    whole = encode(scenes.render(scenes.random_scene(random.Random(210), 1024, 800, colors=["blue"], blobby=False)),
                   "JPEG")
    (out / CORRUPT).write_bytes(whole[: len(whole) * 2 // 5])
    for rel, text in CAPTIONS.items():
        (out / rel).write_bytes(text.encode("utf-8") + b"\n")
    sample_groups.build(out)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=HERE / "sample")
    args = parser.parse_args()
    build(args.out)
    files = [p for p in args.out.rglob("*") if p.is_file()]
    print(f"wrote {len(files)} files, {sum(p.stat().st_size for p in files) / 1e6:.2f} MB, to {args.out}")


if __name__ == "__main__":
    main()
