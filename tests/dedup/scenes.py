"""Small generated pictures for the dedup tests: anime-like scenes (via the benchmark's drawer) and their variants."""

from __future__ import annotations

import io
import random

from PIL import Image, ImageDraw, ImageEnhance, ImageFont, ImageOps

from benchmarks import dedup_draw as draw

SIZE = (320, 320)


def family(seed: int):
    """(base scene, mask, other pose, other outfit, other background) of one character."""
    rng = random.Random(seed)
    char, outfit, pose, bg = draw.random_character(rng), draw.random_outfit(rng), draw.random_pose(rng), draw.random_background(rng)
    base, mask = draw.draw_scene(SIZE, bg, char, outfit, pose)
    pose2, _ = draw.draw_scene(SIZE, bg, char, outfit, draw.other_pose(rng, pose))
    outfit2 = draw.Outfit(*(c for c in _distinct(rng, outfit)))
    dress, _ = draw.draw_scene(SIZE, bg, char, outfit2, pose)
    back, _ = draw.draw_scene(SIZE, draw.random_background(rng), char, outfit, draw.jitter_pose(rng, pose))
    return base, mask, pose2, dress, back


def _distinct(rng, outfit):
    choices = [c for c in draw.PALETTE if c not in (outfit.top, outfit.bottom, outfit.accent)]
    return rng.sample(choices, 3)


def variant(img: Image.Image, mask: Image.Image, kind: str) -> tuple[bytes, str]:
    """(file bytes, format) of one variant kind of ``img``."""
    fmt, save = "PNG", {}
    if kind == "resize":
        img = img.resize((img.width // 2, img.height // 2), Image.Resampling.LANCZOS)
    elif kind == "jpeg60":
        fmt, save = "JPEG", {"quality": 60}
    elif kind == "crop":
        w, h = img.size
        img = img.crop((int(0.06 * w), int(0.09 * h), int(w - 0.08 * w), int(h - 0.05 * h)))
    elif kind == "bright":
        img = ImageEnhance.Contrast(ImageEnhance.Brightness(img).enhance(1.1)).enhance(0.9)
    elif kind == "dark":
        img = ImageEnhance.Contrast(ImageEnhance.Brightness(img).enhance(0.9)).enhance(1.1)
    elif kind == "mirror":
        img = ImageOps.mirror(img)
    elif kind == "cutout":
        img = Image.composite(img, Image.new("RGB", img.size), mask)
        img.putalpha(mask)
    elif kind == "watermark":
        img = img.copy()
        d = ImageDraw.Draw(img)
        d.text((img.width * 0.6, img.height * 0.93), "@someone", font=ImageFont.load_default(size=14), fill=(255, 255, 255))
    elif kind == "webp":
        fmt, save = "WEBP", {"lossless": True}
    buf = io.BytesIO()
    img.save(buf, fmt, **save)
    return buf.getvalue(), fmt


def png(img: Image.Image) -> bytes:
    buf = io.BytesIO()
    img.save(buf, "PNG")
    return buf.getvalue()


def recoloured(seed: int, part: str = "top"):
    """(scene, the same scene with one outfit ``part`` in another colour of clearly other brightness)."""
    rng = random.Random(seed)
    char, outfit, pose, bg = draw.random_character(rng), draw.random_outfit(rng), draw.random_pose(rng), draw.random_background(rng)
    used = {outfit.top, outfit.bottom, outfit.accent, char.skin, char.hair, bg.ground, bg.sky_top, bg.sky_bottom}
    colour = next(c for c in rng.sample(draw.PALETTE, len(draw.PALETTE))
                  if c not in used and abs(sum(c) - sum(getattr(outfit, part))) > 90)
    other = draw.Outfit(**{**outfit.__dict__, part: colour})
    return draw.draw_scene(SIZE, bg, char, outfit, pose)[0], draw.draw_scene(SIZE, bg, char, other, pose)[0]
