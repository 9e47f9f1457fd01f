"""Generate examples/sample/: ~36 license-free shape scenes in 4 concept folders, with every kind of trouble planted.

    .venv/bin/python examples/make_sample.py            # (re)writes examples/sample deterministically

What is planted: captions (.txt, one with a UTF-8 BOM, one .caption), an exact duplicate (same bytes, other name),
a near-duplicate (resized + re-encoded JPEG), a transparent PNG, a WebP, an image under 768 px and a truncated JPEG.
The tiny demo tagger (examples/tiny_tagger) tags every readable image here correctly; EXPECTED says how.
Two characters (blobby, sunny) have reference pictures in examples/refs/<name>/ (guide 002's reference folder);
CHARACTERS says which folder shows whom, for the classifier's tests (examples/tiny_ccip tells them apart).
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

# The second character, sunny: a yellow smiling circle with a yellow star beside it (drawn from the tagger's
# shapes, so the tiny tagger tags it; the tiny identity model knows it by its palette).
for i in range(1, 7):
    PLAN[f"sunny/sunny_{i:02d}.{'png' if i == 3 else 'jpg'}"] = (
        400 + i, SIZES[(i + 2) % len(SIZES)], {"character": "sunny", "background": ["white", "black", "gradient"][i % 3]},
        "PNG" if i == 3 else "JPEG")
# Reference pictures per character (guide 002's character reference folder), written beside the sample.
REFS: dict[str, tuple] = {
    **{f"blobby/ref_{i}.png": (500 + i, (768, 768), {"colors": ["green"], "blobby": True, "background": "white"},
                               "PNG") for i in (1, 2, 3)},
    **{f"sunny/ref_{i}.png": (520 + i, (768, 768), {"character": "sunny", "background": "white"}, "PNG")
       for i in (1, 2, 3)},
}
# Which character each sample folder shows: named references, and the two outfits that no reference names
# (the classifier puts each in an unknown cluster of its own).
CHARACTERS = {"blobby": "blobby", "sunny": "sunny", "outfit_red": None, "outfit_blue": None}

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


def scene_for(rel: str, plan: dict | None = None) -> "scenes.Scene":
    seed, (w, h), options, _ = (plan or PLAN)[rel]
    options = dict(options)
    if options.pop("character", None) == "sunny":
        return sunny_scene(random.Random(seed), w, h, options["background"])
    return scenes.random_scene(random.Random(seed), w, h, **options)


def sunny_scene(rng: random.Random, w: int, h: int, background: str) -> "scenes.Scene":
    """sunny: a yellow ^_^ circle (the head) and one or two yellow stars, placed and sized at random."""
    scene = scenes.Scene(w, h, background)
    if background == "gradient":
        scene.gradient = tuple((v, v + 5, v + 12) for v in (rng.randint(150, 230), rng.randint(60, 140)))
    taken: list = []
    for kind in ["circle", "star"] + (["star"] if rng.random() < 0.5 else []):
        r = rng.uniform(0.14, 0.3) if kind == "circle" else rng.uniform(0.1, 0.22)
        spot = scenes._place(rng, r, w / h, taken)
        if spot is not None:
            taken.append(spot)
            scene.shapes.append(scenes.Shape(kind, "yellow", *spot, face=kind == "circle"))
    return scene


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


def render_plan(out: Path, plan: dict) -> None:
    """A fresh ``out`` with every planned scene rendered and encoded."""
    if out.exists():
        shutil.rmtree(out)
    for rel, (_, _, _, fmt) in plan.items():
        path = out / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(encode(scenes.render(scene_for(rel, plan)), fmt))


def build(out: Path) -> None:
    from PIL import Image

    render_plan(out, PLAN)
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
    parser.add_argument("--refs", type=Path, default=HERE / "refs")
    args = parser.parse_args()
    build(args.out)
    render_plan(args.refs, REFS)
    files = [p for p in args.out.rglob("*") if p.is_file()]
    print(f"wrote {len(files)} files, {sum(p.stat().st_size for p in files) / 1e6:.2f} MB, to {args.out}")


if __name__ == "__main__":
    main()
