"""Generated test videos (PyAV): shots of distinct drawn scenes, static shots, fades, black, blur, bars, damage."""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

import numpy as np


@dataclass(frozen=True)
class Shot:
    """One shot: ``kind`` scene | static | black | fade_out | fade_in | blur; ``seed`` picks the drawing."""

    kind: str
    seconds: float
    seed: int = 0


def scene(seed: int, width: int, height: int) -> np.ndarray:
    """A flat-colour drawing (anime-like: solid regions, dark outlines) that differs from every other seed."""
    from PIL import Image, ImageDraw

    rng = np.random.default_rng(seed * 7919 + 13)
    top, bottom = rng.integers(40, 230, 3), rng.integers(40, 230, 3)
    ramp = np.linspace(0, 1, height)[:, None, None]
    sky = (top * (1 - ramp) + bottom * ramp).astype(np.uint8).repeat(width, axis=1)
    image = Image.fromarray(sky, "RGB")
    draw = ImageDraw.Draw(image)
    line = max(1, min(width, height) // 60)
    for _ in range(int(rng.integers(5, 9))):
        x0, y0 = rng.uniform(-0.1, 0.8) * width, rng.uniform(-0.1, 0.8) * height
        x1, y1 = x0 + rng.uniform(0.15, 0.5) * width, y0 + rng.uniform(0.15, 0.5) * height
        colour = tuple(int(c) for c in rng.integers(0, 256, 3))
        shape = draw.ellipse if rng.random() < 0.5 else draw.rectangle
        shape((x0, y0, x1, y1), fill=colour, outline=(20, 20, 30), width=line)
    return np.asarray(image)


def _sprite_moved(base: np.ndarray, i: int, seed: int) -> np.ndarray:
    """The scene with a small dark-outlined square drifting: frames of one shot differ a little, like animation."""
    out = base.copy()
    h, w = out.shape[:2]
    side = max(2, min(w, h) // 14)
    x = (w // 5 + i * max(1, w // 240) + seed * 3) % max(1, w - side)
    y = h // 2 - side // 2
    out[y:y + side, x:x + side] = (250, 250, 250)
    out[y:y + side, x:x + max(1, side // 8)] = (20, 20, 30)
    return out


def _blurred(image: np.ndarray, width: int) -> np.ndarray:
    """Horizontal motion blur: a box of ``width`` pixels along x."""
    pad = np.pad(image.astype(np.float32), ((0, 0), (width, width), (0, 0)), mode="edge")
    acc = np.cumsum(pad, axis=1)
    out = (acc[:, width * 2:] - acc[:, :-width * 2]) / (width * 2)
    return np.clip(out[:, : image.shape[1]], 0, 255).astype(np.uint8)


def shot_frames(shot: Shot, fps: int, width: int, height: int):
    """Yield the RGB frames of one shot."""
    n = max(1, int(round(shot.seconds * fps)))
    base = scene(shot.seed, width, height) if shot.kind != "black" else np.zeros((height, width, 3), np.uint8)
    blurred = _blurred(base, max(8, width // 30)) if shot.kind == "blur" else None
    for i in range(n):
        if shot.kind in ("black", "static"):
            yield base
        elif shot.kind == "blur":
            yield blurred
        elif shot.kind in ("fade_out", "fade_in"):
            level = (n - 1 - i) / max(1, n - 1) if shot.kind == "fade_out" else i / max(1, n - 1)
            yield (base.astype(np.float32) * level).astype(np.uint8)
        else:
            yield _sprite_moved(base, i, shot.seed)


def write_video(path: Path, shots: list[Shot], *, size=(96, 64), fps: int = 24, codec: str = "libx264",
                pix_fmt: str = "yuv420p", bars: int = 0, pillar: int = 0, sar: Fraction | None = None,
                gop: int | None = None, options: dict | None = None, colour: dict | None = None,
                extras: bool = False, timestamps: list[float] | None = None, grain: int = 0) -> Path:
    """Encode the shots; ``bars``/``pillar`` add black rows top and bottom / columns left and right; ``extras``
    adds a larger cover-art stream and a font attachment (Matroska); ``timestamps`` times each frame (seconds,
    a variable frame rate) instead of 1/fps apart; ``grain`` adds film grain of that amplitude (a Blu-ray source's
    bitrate instead of a flat drawing's)."""
    import av

    width, height = size
    path.parent.mkdir(parents=True, exist_ok=True)
    with av.open(str(path), "w") as container:
        stream = container.add_stream(codec, rate=fps)
        stream.width, stream.height, stream.pix_fmt = width + 2 * pillar, height + 2 * bars, pix_fmt
        if gop:
            stream.codec_context.gop_size = gop
        stream.options = dict({"preset": "ultrafast"} if codec == "libx264" else {}, **(options or {}))
        if sar is not None:
            stream.codec_context.sample_aspect_ratio = sar
        for key, value in (colour or {}).items():
            setattr(stream.codec_context, key, value)
        if timestamps is not None:
            stream.codec_context.time_base = Fraction(1, 1000)
        cover = _extras(container) if extras else None
        full = (width + 2 * pillar, height + 2 * bars)
        converter = _Yuv420(*full, grain) if pix_fmt == "yuv420p" and not colour and full[0] % 2 == full[1] % 2 == 0 \
            else None
        noise = _grain_bank(grain, width, height) if grain and converter is None else None
        at = 0
        for shot in shots:
            for rgb in shot_frames(shot, fps, width, height):
                if noise is not None:
                    rgb = _grained(rgb, noise[at % len(noise)])
                if bars or pillar:
                    rgb = np.pad(rgb, ((bars, bars), (pillar, pillar), (0, 0)))
                if converter is not None:
                    frame = av.VideoFrame.from_ndarray(converter.convert(rgb), "yuv420p")
                else:
                    frame = av.VideoFrame.from_ndarray(np.ascontiguousarray(rgb), "rgb24").reformat(format=pix_fmt)
                for key, value in (colour or {}).items():
                    setattr(frame, key, value)
                if timestamps is not None:
                    frame.pts, frame.time_base = int(round(timestamps[at] * 1000)), Fraction(1, 1000)
                at += 1
                for packet in stream.encode(frame):
                    container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)
        if cover is not None:
            art = av.VideoFrame.from_ndarray(scene(99, 320, 240), "rgb24").reformat(format="yuvj420p")
            for packet in [*cover.encode(art), *cover.encode()]:
                container.mux(packet)
    return path


class _Yuv420:
    """RGB frames -> yuv420p arrays for from_ndarray, converting only the rows that changed since the last frame
    (a shot's frames differ by a moving sprite), with film grain added to luma from two noise tiles at random
    offsets: a long 1080p video with a Blu-ray's bitrate generates in minutes instead of half an hour."""

    REACH = 8           # luma rows around a change whose chroma may change with it
    MARGIN = 16         # rows converted around those, so the chroma rows at the band's edges come out whole
    SHIFT = 64          # noise tiles are this much larger than the picture; offsets beyond x264's motion search

    def __init__(self, width: int, height: int, grain: int) -> None:
        self.width, self.height, self.grain = width, height, grain
        self.rgb: np.ndarray | None = None
        self.yuv: np.ndarray | None = None
        self.rng = np.random.default_rng(11)
        self.tiles = [self.rng.integers(0, grain + 1, (height + self.SHIFT, width + self.SHIFT), dtype=np.uint8)
                      for _ in range(2)] if grain else []

    def convert(self, rgb: np.ndarray) -> np.ndarray:
        h = self.height
        if self.rgb is None or self.rgb.shape != rgb.shape:
            self.yuv = _to_yuv420(rgb)
        else:
            changed = np.flatnonzero(np.any(self.rgb != rgb, axis=(1, 2)))
            if changed.size:
                # whole groups of 4 luma rows (one array row of U and of V), widened by the reach of the
                # chroma filter: the chroma rows next to a change change too
                top = max(0, (int(changed[0]) - self.REACH) // 4 * 4)
                bottom = min(h, (int(changed[-1]) + self.REACH + 4) // 4 * 4)
                if bottom - top > h // 2 or h % 4:
                    self.yuv = _to_yuv420(rgb)
                else:
                    self._patch(rgb, top, bottom)
        self.rgb = rgb
        if not self.grain:
            return self.yuv
        out = self.yuv.copy()
        luma = out[:h]
        np.clip(luma, self.grain, 255 - self.grain, out=luma)
        luma -= self.grain
        for tile in self.tiles:
            dy, dx = self.rng.integers(0, self.SHIFT, 2)
            luma += tile[dy:dy + h, dx:dx + self.width]
        return out


    def _patch(self, rgb: np.ndarray, top: int, bottom: int) -> None:
        """Convert rows top..bottom with MARGIN rows of context either side (the chroma filter reaches past
        the rows it writes) and copy in only top..bottom of each plane."""
        h, u_at, v_at = self.height, self.height, self.height * 5 // 4
        start, stop = max(0, top - self.MARGIN), min(h, bottom + self.MARGIN)
        band = _to_yuv420(rgb[start:stop])
        rows = stop - start
        self.yuv[top:bottom] = band[top - start:bottom - start]
        for at, band_at in ((u_at, rows), (v_at, rows + rows // 4)):
            self.yuv[at + top // 4:at + bottom // 4] = band[band_at + (top - start) // 4:band_at + (bottom - start) // 4]


def _to_yuv420(rgb: np.ndarray) -> np.ndarray:
    """(h * 3 / 2, w) uint8: the Y plane, then U and V, as VideoFrame.from_ndarray(..., "yuv420p") takes them."""
    import av

    return av.VideoFrame.from_ndarray(np.ascontiguousarray(rgb), "rgb24").reformat(format="yuv420p").to_ndarray()


def _grain_bank(amplitude: int, width: int, height: int) -> list[np.ndarray]:
    """Monochrome grain as uint8 offsets around 128: added with wrap-free saturation by _grained."""
    rng = np.random.default_rng(7)
    return [(rng.integers(-amplitude, amplitude + 1, (height, width, 1)) + 128).astype(np.uint8) for _ in range(12)]


def _grained(rgb: np.ndarray, noise: np.ndarray) -> np.ndarray:
    out = rgb.astype(np.int16)
    out += noise
    out -= 128
    np.clip(out, 0, 255, out=out)
    return out.astype(np.uint8)


def _extras(container):
    import av

    cover = container.add_stream("mjpeg", rate=1)
    cover.width, cover.height, cover.pix_fmt = 320, 240, "yuvj420p"
    cover.disposition = av.stream.Disposition.attached_pic
    container.add_attachment("font.ttf", "application/x-truetype-font", b"\0" * 64)
    return cover


def shot_starts(shots: list[Shot]) -> list[float]:
    at, out = 0.0, []
    for shot in shots:
        out.append(at)
        at += shot.seconds
    return out
