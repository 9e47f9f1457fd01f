"""Procedural flat-colour anime-like scenes for the dedup benchmark: recurring characters, poses, outfits, backgrounds."""

from __future__ import annotations

import math
import random
from dataclasses import dataclass, replace

from PIL import Image, ImageDraw

PALETTE = [  # a shared anime-ish palette: many images reuse these exact colours
    (250, 224, 200), (255, 236, 220), (40, 30, 40), (236, 90, 110), (250, 200, 60), (90, 170, 240),
    (120, 200, 120), (160, 110, 200), (250, 250, 250), (70, 80, 160), (230, 130, 60), (200, 60, 60),
    (150, 220, 250), (240, 170, 200), (100, 70, 50), (60, 140, 90), (210, 210, 225), (255, 190, 120),
]
SIZES = [(512, 512), (448, 576), (576, 448), (480, 640)]


@dataclass(frozen=True)
class Character:
    hair: tuple
    eyes: tuple
    skin: tuple
    style: int            # 0 short, 1 long, 2 twin tails
    accessory: int        # 0 none, 1 bow, 2 hat


@dataclass(frozen=True)
class Outfit:
    top: tuple
    bottom: tuple
    accent: tuple


@dataclass(frozen=True)
class Pose:
    x: float              # centre, fraction of width
    y: float              # feet, fraction of height
    scale: float          # body height, fraction of height
    arm_l: float          # degrees
    arm_r: float
    legs: float
    tilt: float


@dataclass(frozen=True)
class Background:
    sky_top: tuple
    sky_bottom: tuple
    ground: tuple
    horizon: float
    props: tuple          # ((kind, x, y, s, colour), ...)


def random_character(rng: random.Random) -> Character:
    return Character(rng.choice(PALETTE), rng.choice(PALETTE), rng.choice(PALETTE[:2] + [(230, 190, 160)]),
                     rng.randrange(3), rng.randrange(3))


def random_outfit(rng: random.Random) -> Outfit:
    return Outfit(rng.choice(PALETTE), rng.choice(PALETTE), rng.choice(PALETTE))


def random_pose(rng: random.Random) -> Pose:
    return Pose(rng.uniform(0.3, 0.7), rng.uniform(0.82, 0.95), rng.uniform(0.55, 0.8), rng.uniform(-70, 70),
                rng.uniform(-70, 70), rng.uniform(5, 30), rng.uniform(-12, 12))


def other_pose(rng: random.Random, pose: Pose) -> Pose:
    """A clearly different pose: the character moves and the limbs change."""
    new = random_pose(rng)
    dx = rng.choice([-1, 1]) * rng.uniform(0.12, 0.25)
    return replace(new, x=min(0.75, max(0.25, pose.x + dx)))


def jitter_pose(rng: random.Random, pose: Pose) -> Pose:
    """A slightly different pose: a few limbs move, the character shifts a little."""
    def turn():
        return rng.choice([-1, 1]) * rng.uniform(25, 50)

    return replace(pose, x=pose.x + rng.choice([-1, 1]) * rng.uniform(0.04, 0.08), arm_l=pose.arm_l + turn(),
                   arm_r=pose.arm_r + turn(), tilt=pose.tilt + rng.uniform(-8, 8))


def random_background(rng: random.Random) -> Background:
    props = []
    for _ in range(rng.randrange(2, 7)):
        props.append((rng.randrange(4), rng.random(), rng.uniform(0.1, 0.7), rng.uniform(0.06, 0.22), rng.choice(PALETTE)))
    return Background(rng.choice(PALETTE), rng.choice(PALETTE), rng.choice(PALETTE), rng.uniform(0.55, 0.8), tuple(props))


def draw_scene(size, bg: Background, char: Character, outfit: Outfit, pose: Pose):
    """(RGB image, L mask of the character)."""
    w, h = size
    img = Image.new("RGB", size)
    px = ImageDraw.Draw(img)
    horizon = int(bg.horizon * h)
    for yy in range(horizon):
        t = yy / max(horizon - 1, 1)
        px.line([(0, yy), (w, yy)], fill=tuple(int(a + (b - a) * t) for a, b in zip(bg.sky_top, bg.sky_bottom)))
    px.rectangle([0, horizon, w, h], fill=bg.ground)
    for kind, fx, fy, fs, colour in bg.props:
        x, y, s = fx * w, fy * h, fs * min(w, h)
        if kind == 0:
            px.ellipse([x - s, y - s * 0.5, x + s, y + s * 0.5], fill=colour, outline=(40, 30, 40), width=2)
        elif kind == 1:
            px.rectangle([x - s * 0.5, min(y, horizon - 8), x + s * 0.5, horizon], fill=colour, outline=(40, 30, 40), width=2)
        elif kind == 2:
            px.polygon([(x, y - s), (x - s * 0.7, y + s * 0.6), (x + s * 0.7, y + s * 0.6)], fill=colour, outline=(40, 30, 40))
        else:
            px.rectangle([x - s, y - s * 0.3, x + s, y + s * 0.3], fill=colour)
    mask = Image.new("L", size, 0)
    _draw_character(ImageDraw.Draw(img), size, char, outfit, pose, outline=(40, 30, 40))
    _draw_character(ImageDraw.Draw(mask), size, char, outfit, pose, solid=255)
    return img, mask


def _draw_character(d: ImageDraw.ImageDraw, size, c: Character, o: Outfit, p: Pose, outline=None, solid=None):
    w, h = size
    unit = p.scale * h / 7.0                 # seven heads tall, anime-ish
    cx, feet = p.x * w, p.y * h
    hip = feet - 3.2 * unit
    neck = hip - 2.4 * unit
    head_c = (cx + math.sin(math.radians(p.tilt)) * unit * 0.3, neck - unit * 0.75)

    def col(colour):
        return solid if solid is not None else colour

    lw = max(2, int(unit * 0.08))
    for side, angle in ((-1, p.arm_l), (1, p.arm_r)):
        sx, sy = cx + side * unit * 0.8, neck + unit * 0.3
        a = math.radians(angle)
        ex, ey = sx + side * math.sin(a) * unit * 2.2, sy + math.cos(a) * unit * 2.2
        d.line([(sx, sy), (ex, ey)], fill=col(c.skin), width=int(unit * 0.35))
        d.ellipse([ex - unit * 0.22, ey - unit * 0.22, ex + unit * 0.22, ey + unit * 0.22], fill=col(c.skin))
    for side in (-1, 1):
        a = math.radians(p.legs) * side
        d.line([(cx + side * unit * 0.4, hip), (cx + math.sin(a) * unit * 3.2, feet)], fill=col(c.skin), width=int(unit * 0.45))
        d.ellipse([cx + math.sin(a) * unit * 3.2 - unit * 0.35, feet - unit * 0.2, cx + math.sin(a) * unit * 3.2 + unit * 0.35,
                   feet + unit * 0.15], fill=col(o.accent))
    d.polygon([(cx - unit * 0.9, neck), (cx + unit * 0.9, neck), (cx + unit * 0.7, hip), (cx - unit * 0.7, hip)],
              fill=col(o.top), outline=None if solid is not None else outline)
    d.polygon([(cx - unit * 0.7, hip - unit * 0.1), (cx + unit * 0.7, hip - unit * 0.1), (cx + unit * 1.3, hip + unit * 1.4),
               (cx - unit * 1.3, hip + unit * 1.4)], fill=col(o.bottom), outline=None if solid is not None else outline)
    d.rectangle([cx - unit * 0.3, neck, cx + unit * 0.3, neck + unit * 0.35], fill=col(o.accent))
    hx, hy = head_c
    r = unit * 0.85
    if c.style == 1:
        d.rectangle([hx - r * 1.1, hy - r * 0.2, hx + r * 1.1, hy + r * 2.2], fill=col(c.hair))
    elif c.style == 2:
        for side in (-1, 1):
            d.ellipse([hx + side * r * 1.3 - r * 0.45, hy, hx + side * r * 1.3 + r * 0.45, hy + r * 2.4], fill=col(c.hair))
    d.ellipse([hx - r, hy - r, hx + r, hy + r], fill=col(c.skin), outline=None if solid is not None else outline, width=lw)
    d.chord([hx - r * 1.08, hy - r * 1.1, hx + r * 1.08, hy + r * 0.5], 180, 360, fill=col(c.hair))
    for side in (-1, 1):
        d.ellipse([hx + side * r * 0.4 - r * 0.16, hy + r * 0.05, hx + side * r * 0.4 + r * 0.16, hy + r * 0.45], fill=col(c.eyes))
    if c.accessory == 1:
        d.polygon([(hx + r * 0.5, hy - r * 0.9), (hx + r * 1.2, hy - r * 1.3), (hx + r * 1.2, hy - r * 0.5)], fill=col(o.accent))
    elif c.accessory == 2:
        d.rectangle([hx - r * 1.2, hy - r * 1.05, hx + r * 1.2, hy - r * 0.85], fill=col(o.accent))
        d.rectangle([hx - r * 0.7, hy - r * 1.7, hx + r * 0.7, hy - r * 0.9], fill=col(o.accent))


def palette_composition(rng: random.Random, size, palette) -> Image.Image:
    """Abstract flat shapes drawn only with ``palette`` colours (the palette-sharing hard negatives)."""
    w, h = size
    img = Image.new("RGB", size, palette[0])
    d = ImageDraw.Draw(img)
    for _ in range(rng.randrange(4, 10)):
        x, y, s = rng.random() * w, rng.random() * h, rng.uniform(0.08, 0.35) * min(w, h)
        colour = rng.choice(palette[1:])
        kind = rng.randrange(3)
        if kind == 0:
            d.ellipse([x - s, y - s, x + s, y + s], fill=colour)
        elif kind == 1:
            d.rectangle([x - s, y - s * 0.6, x + s, y + s * 0.6], fill=colour)
        else:
            d.polygon([(x, y - s), (x - s, y + s), (x + s, y + s)], fill=colour)
    return img


def near_blank(rng: random.Random, size) -> Image.Image:
    """An almost empty canvas: paper colour, a few faint marks, a little noise."""
    import numpy as np

    w, h = size
    base = rng.choice([(255, 255, 255), (250, 248, 244), (240, 240, 240), (236, 240, 248)])
    img = Image.new("RGB", size, base)
    d = ImageDraw.Draw(img)
    for _ in range(rng.randrange(0, 4)):
        x, y = rng.random() * w, rng.random() * h
        shade = tuple(max(0, c - rng.randrange(10, 60)) for c in base)
        d.line([(x, y), (x + rng.uniform(-40, 40), y + rng.uniform(-40, 40))], fill=shade, width=rng.randrange(1, 3))
    arr = np.asarray(img, dtype=np.int16)
    noise = np.random.default_rng(rng.randrange(1 << 30)).integers(-2, 3, arr.shape)
    return Image.fromarray(np.clip(arr + noise, 0, 255).astype(np.uint8), "RGB")
