"""Generated shape-and-colour scenes for the tiny demo tagger: the vocabulary, a random scene, its labels, a render."""

from __future__ import annotations

import math
import random
from dataclasses import dataclass, field

RATINGS = ["general", "sensitive", "questionable", "explicit"]
GENERAL = ["no_humans", "simple_background", "white_background", "black_background", "gradient_background",
           "letterboxed", "circle", "square", "triangle", "star_(symbol)", "red_theme", "blue_theme", "green_theme",
           "yellow_theme", "^_^"]
CHARACTERS = ["blobby_(loraprep)"]
# (name, WD category code) in selected_tags.csv order: ratings first, as in the real taggers.
VOCABULARY = [(n, 9) for n in RATINGS] + [(n, 0) for n in GENERAL] + [(n, 4) for n in CHARACTERS]

COLORS = {"red": (220, 35, 35), "blue": (35, 70, 225), "green": (40, 170, 60), "yellow": (245, 205, 30)}
BLOBBY_BODY = (150, 70, 200)
SHAPES = ("circle", "square", "triangle", "star")
_SHAPE_TAG = {"circle": "circle", "square": "square", "triangle": "triangle", "star": "star_(symbol)"}


@dataclass
class Shape:
    kind: str
    color: str
    x: float  # centre, as a fraction of the width
    y: float  # centre, as a fraction of the height
    r: float  # radius, as a fraction of the shorter side
    face: bool = False  # a ^_^ face on a circle


@dataclass
class Scene:
    width: int
    height: int
    background: str = "white"  # white | black | gradient | transparent
    shapes: list[Shape] = field(default_factory=list)
    blobby: tuple[float, float, float] | None = None  # x, y, r of the character
    gradient: tuple[tuple[int, int, int], tuple[int, int, int]] = ((200, 200, 210), (120, 120, 130))


def labels(scene: Scene) -> set[str]:
    """The raw tag names a correct tagger gives this scene (transparent counts as white: alpha goes onto white)."""
    tags = {"general", "no_humans"}
    bg = "white" if scene.background == "transparent" else scene.background
    tags.add(f"{bg}_background")
    if bg in ("white", "black"):
        tags.add("simple_background")
    for s in scene.shapes:
        tags.add(_SHAPE_TAG[s.kind])
        tags.add(f"{s.color}_theme")
        if s.face:
            tags.add("^_^")
    if scene.blobby:
        tags.update({"blobby_(loraprep)", "^_^"})
    return tags


def random_scene(rng: random.Random, width: int, height: int, *, colors: list[str] | None = None,
                 blobby: bool | None = None, background: str | None = None) -> Scene:
    """A scene with 1-3 shapes (or the character plus 0-1 shapes), placed without overlap."""
    if background is None:
        background = rng.choices(["white", "black", "gradient"], [0.55, 0.2, 0.25])[0]
    scene = Scene(width, height, background)
    if background == "gradient":
        scene.gradient = tuple((v, v + 5, v + 12) for v in (rng.randint(150, 230), rng.randint(60, 140)))  # greys
    if blobby is None:
        blobby = rng.random() < 0.22
    taken: list[tuple[float, float, float]] = []
    aspect = width / height
    if blobby:
        r = rng.uniform(0.26, 0.34)
        scene.blobby = _place(rng, r, aspect, taken) or (0.5, 0.5, r)
        taken.append(scene.blobby)
    count = rng.randint(0, 1) if blobby else rng.choices([1, 2, 3], [0.4, 0.4, 0.2])[0]
    for _ in range(count):
        r = rng.uniform(0.10, 0.2 if count > 1 or blobby else 0.3)
        spot = _place(rng, r, aspect, taken)
        if spot is None:
            continue
        taken.append(spot)
        kind = rng.choice(SHAPES)
        color = rng.choice(colors or list(COLORS))
        scene.shapes.append(Shape(kind, color, spot[0], spot[1], r, face=kind == "circle" and rng.random() < 0.35))
    return scene


def _place(rng, r, aspect, taken, tries=60):
    """A centre (fractions) for a shape of radius r (fraction of the shorter side) that overlaps nothing."""
    rx, ry = (r / aspect, r) if aspect >= 1 else (r, r * aspect)
    for _ in range(tries):
        x, y = rng.uniform(rx + 0.02, 1 - rx - 0.02), rng.uniform(ry + 0.02, 1 - ry - 0.02)
        if all(math.hypot((x - tx) * aspect, y - ty) > (r + tr) * 1.1 * (1 if aspect >= 1 else aspect)
               for tx, ty, tr in taken):
            return x, y, r
    return None


def render(scene: Scene, jitter: random.Random | None = None):
    """The scene as a PIL image (RGBA for a transparent background, RGB otherwise)."""
    from PIL import Image, ImageDraw

    w, h = scene.width, scene.height
    if scene.background == "transparent":
        img = Image.new("RGBA", (w, h), (0, 0, 0, 0))  # transparent black: wrong without alpha compositing
    elif scene.background == "gradient":
        img = _gradient(w, h, *scene.gradient)
    else:
        img = Image.new("RGB", (w, h), (255, 255, 255) if scene.background == "white" else (0, 0, 0))
    draw = ImageDraw.Draw(img)
    side = min(w, h)

    def tint(rgb):
        if jitter is None:
            return rgb
        return tuple(max(0, min(255, c + jitter.randint(-18, 18))) for c in rgb)

    for s in scene.shapes:
        cx, cy, r = s.x * w, s.y * h, s.r * side
        _shape(draw, s.kind, cx, cy, r, tint(COLORS[s.color]))
        if s.face:
            _face(draw, cx, cy, r)
    if scene.blobby:
        _blobby(draw, scene.blobby[0] * w, scene.blobby[1] * h, scene.blobby[2] * side, tint(BLOBBY_BODY))
    return img


def _gradient(w, h, top, bottom):
    import numpy as np
    from PIL import Image

    t = np.linspace(0.0, 1.0, h, dtype=np.float32)[:, None, None]
    rows = (1 - t) * np.array(top, np.float32) + t * np.array(bottom, np.float32)
    return Image.fromarray(np.repeat(rows, w, axis=1).astype(np.uint8), "RGB")


def _shape(draw, kind, cx, cy, r, fill):
    if kind == "circle":
        draw.ellipse([cx - r, cy - r, cx + r, cy + r], fill=fill)
    elif kind == "square":
        a = r * 0.85
        draw.rectangle([cx - a, cy - a, cx + a, cy + a], fill=fill)
    elif kind == "triangle":
        draw.polygon([(cx, cy - r), (cx + r * 0.95, cy + r * 0.75), (cx - r * 0.95, cy + r * 0.75)], fill=fill)
    else:
        points = []
        for i in range(10):
            rad = r if i % 2 == 0 else r * 0.42
            ang = -math.pi / 2 + i * math.pi / 5
            points.append((cx + rad * math.cos(ang), cy + rad * math.sin(ang)))
        draw.polygon(points, fill=fill)


def _face(draw, cx, cy, r, ink=(20, 20, 20)):
    """^_^ : two caret eyes and a flat mouth."""
    width = max(2, int(r * 0.12))
    for ex in (cx - r * 0.38, cx + r * 0.38):
        ey = cy - r * 0.2
        draw.line([(ex - r * 0.22, ey + r * 0.12), (ex, ey - r * 0.14), (ex + r * 0.22, ey + r * 0.12)],
                  fill=ink, width=width, joint="curve")
    draw.line([(cx - r * 0.3, cy + r * 0.38), (cx + r * 0.3, cy + r * 0.38)], fill=ink, width=width)


def _blobby(draw, cx, cy, r, body):
    """The demo character: a purple blob with two antennae, a ^_^ face and a white belly."""
    width = max(2, int(r * 0.08))
    for dx in (-0.35, 0.35):
        draw.line([(cx + dx * r, cy - r * 0.7), (cx + dx * r * 1.5, cy - r * 1.05)], fill=body, width=width)
        tip = r * 0.1
        draw.ellipse([cx + dx * r * 1.5 - tip, cy - r * 1.05 - tip, cx + dx * r * 1.5 + tip, cy - r * 1.05 + tip],
                     fill=body)
    draw.ellipse([cx - r * 0.85, cy - r * 0.8, cx + r * 0.85, cy + r * 0.95], fill=body)
    draw.ellipse([cx - r * 0.4, cy + r * 0.25, cx + r * 0.4, cy + r * 0.85], fill=(245, 240, 250))
    _face(draw, cx, cy - r * 0.1, r * 0.6)
