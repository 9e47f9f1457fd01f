"""Labelled near-duplicate set for benchmarks/dedup.py: bases with every variant, hard negatives, singletons."""

from __future__ import annotations

import io
import json
import os
import random
import uuid
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from PIL import Image, ImageDraw, ImageEnhance, ImageFont, ImageOps

try:
    from benchmarks import dedup_bases as bases_
    from benchmarks import dedup_draw as draw
except ImportError:  # run as a script from benchmarks/
    import dedup_bases as bases_
    import dedup_draw as draw

UNEVEN = tuple(f"crop_{kind}" for kind in bases_.CROP_KINDS)        # alone
UNEVEN_EDITED = tuple(f"{v}_edited" for v in UNEVEN)              # with a resize, JPEG q60 or brightness change
VARIANTS = ("resize", "jpeg60", "crop", "bright", "mirror", "cutout", "watermark", "webp_lossless") + UNEVEN + UNEVEN_EDITED
DATA_VERSION = 5        # 2: uneven crops, noise-texture and flat-drawing bases, overlapping-crop negatives; 5: "crop" keeps >= 85%
PHOTOS = ("astronaut.png", "brick.png", "camera.png", "cell.png", "chelsea.png", "clock_motion.png", "coffee.png",
          "coins.png", "grass.png", "gravel.png", "hubble_deep_field.jpg", "ihc.png", "moon.png",
          "motorcycle_left.png", "retina.jpg", "rocket.jpg", "color.png", "phantom.png")


def photo_dir() -> Path | None:
    """The folder of photos scikit-image ships inside its wheel (no download needed), or None."""
    try:
        import skimage.data
    except ImportError:
        return None
    return Path(skimage.data.__file__).parent


def photo_windows(rng: random.Random) -> list[tuple[str, tuple]]:
    """Non-overlapping windows (one per quadrant) of every shipped photo: each is a distinct picture."""
    folder = photo_dir()
    if folder is None:
        return []
    out = []
    for name in PHOTOS:
        if not (folder / name).exists():
            continue
        w, h = Image.open(folder / name).size
        for qx in (0, 1):
            for qy in (0, 1):
                ww, wh = int(w / 2 * rng.uniform(0.8, 0.98)), int(h / 2 * rng.uniform(0.8, 0.98))
                x0 = qx * w // 2 + rng.randrange(0, w // 2 - ww + 1)
                y0 = qy * h // 2 + rng.randrange(0, h // 2 - wh + 1)
                out.append((str(folder / name), (x0, y0, x0 + ww, y0 + wh)))
    rng.shuffle(out)
    return out


def plan(n: int, seed: int = 0) -> list[dict]:
    """Specs of about ``n`` images: dicts with what to draw, the group label and the variant kind."""
    rng = random.Random(seed)
    per_base = 1 + len(VARIANTS)
    n_bases = max(2, int(n * 0.6) // per_base)
    n_photo_bases = min(len(photo_windows(random.Random(seed))) // 2, max(1, n_bases // 3))
    windows = photo_windows(random.Random(seed))
    scenes = []                       # (spec, is_base)
    while len(scenes) < n_bases - n_photo_bases + int(n * 0.2):
        char, outfit, pose, bg = draw.random_character(rng), draw.random_outfit(rng), draw.random_pose(rng), draw.random_background(rng)
        size = rng.choice(draw.SIZES)
        family = [(bg, outfit, pose)]
        family.append((bg, outfit, draw.other_pose(rng, pose)))                     # another pose
        family.append((bg, draw.random_outfit(rng), pose))                           # another outfit
        family.append((draw.random_background(rng), outfit, draw.jitter_pose(rng, pose)))  # another background
        for b, o, p in family:
            scenes.append({"kind": "anime", "size": size, "scene": (b, char, o, p)})
    rng.shuffle(scenes)
    specs: list[dict] = []
    n_texture = n_bases // 6             # each of noise textures and flat drawings
    bases = [{"kind": "photo", "window": w} for w in windows[:n_photo_bases]]
    bases += [{"kind": kind, "size": rng.choice(draw.SIZES), "base_seed": rng.randrange(1 << 30)}
              for kind in ("noise", "flat") for _ in range(n_texture)]
    bases += scenes[: n_bases - n_photo_bases - 2 * n_texture]
    for gi, base in enumerate(bases):
        group = f"g{gi}"
        specs.append({**base, "group": group, "variant": "base", "seed": rng.randrange(1 << 30)})
        for v in VARIANTS:
            specs.append({**base, "group": group, "variant": v, "seed": rng.randrange(1 << 30)})
    singles = scenes[n_bases - n_photo_bases - 2 * n_texture:] + [{"kind": "photo", "window": w} for w in windows[n_photo_bases:]]
    rest = n - len(specs)
    # hard negatives: two crops of one picture that are no crop of each other (each keeps 75-82% of one
    # dimension, from opposite ends), of a texture or drawing used nowhere else
    for _ in range(int(rest * 0.05)):
        base = {"kind": rng.choice(["noise", "flat"]), "size": rng.choice(draw.SIZES), "base_seed": rng.randrange(1 << 30)}
        keep, axis = rng.uniform(0.75, 0.82), rng.randrange(2)
        for end in (0, 1):
            box = [0.0] * 4
            box[2 * axis + end] = 1 - keep
            specs.append({**base, "group": None, "variant": "overlap", "box": tuple(box), "seed": rng.randrange(1 << 30)})
    # and unrelated textures and drawings, which look alike statistically
    for _ in range(int(rest * 0.1)):
        specs.append({"kind": rng.choice(["noise", "flat"]), "size": rng.choice(draw.SIZES), "base_seed": rng.randrange(1 << 30),
                      "group": None, "variant": "single_texture", "seed": rng.randrange(1 << 30)})
    rest = n - len(specs)
    n_pal, n_blank = int(rest * 0.2), int(rest * 0.1)
    palettes = [rng.sample(draw.PALETTE, 5) for _ in range(max(1, n_pal // 8))]
    for i in range(n_pal):
        specs.append({"kind": "palette", "palette": palettes[i % len(palettes)], "size": rng.choice(draw.SIZES),
                      "group": None, "variant": "palette", "seed": rng.randrange(1 << 30)})
    for _ in range(n_blank):
        specs.append({"kind": "blank", "size": rng.choice(draw.SIZES), "group": None, "variant": "blank",
                      "seed": rng.randrange(1 << 30)})
    for s in singles[: max(0, n - len(specs))]:
        label = "hard_negative" if s["kind"] == "anime" else "single_photo"
        specs.append({**s, "group": None, "variant": label, "seed": rng.randrange(1 << 30)})
    while len(specs) < n:                                   # top up with fresh unrelated scenes
        spec = {"kind": "anime", "size": rng.choice(draw.SIZES), "scene": (draw.random_background(rng), draw.random_character(rng),
                draw.random_outfit(rng), draw.random_pose(rng)), "group": None, "variant": "single_anime",
                "seed": rng.randrange(1 << 30)}
        specs.append(spec)
    return specs[:n]


def render_base(spec: dict):
    """(RGB picture, L mask of its subject)."""
    if spec["kind"] == "anime":
        bg, char, outfit, pose = spec["scene"]
        return draw.draw_scene(spec["size"], bg, char, outfit, pose)
    if spec["kind"] == "photo":
        path, box = spec["window"]
        img = Image.open(path).convert("RGB").crop(box)
        scale = 512 / max(img.size)
        img = img.resize((max(1, int(img.width * scale)), max(1, int(img.height * scale))), Image.Resampling.LANCZOS)
        rng = random.Random(hash(box))  # the same subject mask for every variant of a window
        mask = Image.new("L", img.size, 0)
        w, h = img.size
        cx, cy = rng.uniform(0.4, 0.6) * w, rng.uniform(0.4, 0.6) * h
        rx, ry = rng.uniform(0.2, 0.35) * w, rng.uniform(0.25, 0.4) * h
        ImageDraw.Draw(mask).ellipse([cx - rx, cy - ry, cx + rx, cy + ry], fill=255)
        return img, mask
    if spec["kind"] in ("noise", "flat"):
        make = bases_.noise_texture if spec["kind"] == "noise" else bases_.flat_drawing
        img = make(random.Random(spec["base_seed"]), spec["size"])
        mask = Image.new("L", img.size, 0)
        w, h = img.size
        ImageDraw.Draw(mask).ellipse([w * 0.25, h * 0.2, w * 0.75, h * 0.8], fill=255)
        return img, mask
    rng = random.Random(spec["seed"])
    if spec["kind"] == "palette":
        return draw.palette_composition(rng, spec["size"], spec["palette"]), None
    return draw.near_blank(rng, spec["size"]), None


def render(spec: dict) -> tuple[bytes, str]:
    """(encoded file bytes, extension) of one spec."""
    img, mask = render_base(spec)
    rng = random.Random(spec["seed"])
    v = spec["variant"]
    fmt, save = "PNG", {"compress_level": 3}
    if v == "resize":
        img = img.resize((img.width // 2, img.height // 2), Image.Resampling.LANCZOS)
    elif v == "jpeg60":
        fmt, save = "JPEG", {"quality": 60}
    elif v == "crop":
        w, h = img.size
        # 2.5-7.5% a side: each dimension keeps at least 85% (bases_.MAX_CUT), the rule for "the same picture"
        l, r, t, b = (rng.uniform(0.025, bases_.MAX_CUT / 2) for _ in range(4))
        img = img.crop((int(l * w), int(t * h), int(w - r * w), int(h - b * h)))
    elif v == "bright":
        img = ImageEnhance.Brightness(img).enhance(1 + rng.choice([-1, 1]) * rng.uniform(0.05, 0.1))
        img = ImageEnhance.Contrast(img).enhance(1 + rng.choice([-1, 1]) * rng.uniform(0.05, 0.1))
    elif v == "mirror":
        img = ImageOps.mirror(img)
    elif v == "cutout":
        img = Image.composite(img, Image.new("RGB", img.size, (0, 0, 0)), mask)
        img.putalpha(mask)
    elif v == "watermark":
        img = _watermark(img, rng)
    elif v == "webp_lossless":
        fmt, save = "WEBP", {"lossless": True, "quality": 80}
    elif v == "overlap":
        img = bases_.crop(img, spec["box"])
    elif v.startswith("crop_"):
        img = bases_.crop(img, bases_.uneven_crop_box(rng, v.split("_")[1]))
        if v.endswith("_edited"):
            edit = rng.choice(["resize", "jpeg", "bright"])
            if edit == "resize":
                scale = rng.uniform(0.5, 0.8)
                img = img.resize((max(1, int(img.width * scale)), max(1, int(img.height * scale))), Image.Resampling.LANCZOS)
            elif edit == "jpeg":
                fmt, save = "JPEG", {"quality": rng.randrange(60, 90)}
            else:
                img = ImageEnhance.Brightness(img).enhance(1 + rng.choice([-1, 1]) * rng.uniform(0.05, 0.1))
    buf = io.BytesIO()
    img.save(buf, fmt, **save)
    return buf.getvalue(), {"PNG": ".png", "JPEG": ".jpg", "WEBP": ".webp"}[fmt]


def _watermark(img: Image.Image, rng: random.Random) -> Image.Image:
    out = img.convert("RGBA")
    layer = Image.new("RGBA", out.size, (0, 0, 0, 0))
    d = ImageDraw.Draw(layer)
    size = max(10, int(min(out.size) * rng.uniform(0.04, 0.06)))
    font = ImageFont.load_default(size=size)
    text = rng.choice(["@artist_name", "sample", "(c) pixiv user", "twitter/@someone"])
    tw, th = d.textbbox((0, 0), text, font=font)[2:]
    x = rng.choice([int(out.width * 0.03), out.width - tw - int(out.width * 0.03)])
    y = rng.choice([int(out.height * 0.03), out.height - th - int(out.height * 0.05)])
    colour = rng.choice([(255, 255, 255, 200), (0, 0, 0, 180)])
    d.text((x, y), text, font=font, fill=colour)
    return Image.alpha_composite(out, layer).convert("RGB")


def _write(args) -> dict:
    folder, spec = args
    data, ext = render(spec)
    name = uuid.UUID(int=random.Random(spec["seed"] ^ 0x5EED).getrandbits(128)).hex + ext
    Path(folder, name).write_bytes(data)
    return {"file": name, "group": spec["group"], "variant": spec["variant"], "kind": spec["kind"], "bytes": len(data)}


def generate(folder: str | os.PathLike, n: int, seed: int = 0, workers: int | None = None) -> list[dict]:
    """Write about ``n`` labelled images into ``folder`` (reused when its manifest matches) and return the manifest."""
    folder = Path(folder)
    manifest_path = folder / "manifest.json"
    if manifest_path.exists():
        manifest = json.loads(manifest_path.read_text())
        if manifest.get("n") == n and manifest.get("seed") == seed and manifest.get("version") == DATA_VERSION:
            return manifest["images"]
    folder.mkdir(parents=True, exist_ok=True)
    specs = plan(n, seed)
    with ProcessPoolExecutor(workers or os.cpu_count()) as pool:
        images = list(pool.map(_write, [(str(folder), s) for s in specs], chunksize=16))
    manifest_path.write_text(json.dumps({"n": n, "seed": seed, "version": DATA_VERSION, "images": images}))
    return images
