"""One decoded frame -> an upright 8-bit RGB picture: colour matrix and range, bars, fields, pixel aspect, HDR map."""

from __future__ import annotations

from fractions import Fraction

import numpy as np

from loraprep.acquire.video.bars import Crop
from loraprep.acquire.video.container import VideoInfo
from loraprep.acquire.video.scaler import reformat

# BT.2020 -> BT.709 primaries on linear light (ITU-R BT.2087 section 2)
_2020_TO_709 = np.array([[1.6605, -0.5876, -0.0728], [-0.1246, 1.1329, -0.0083], [-0.0182, -0.1006, 1.1187]],
                        np.float32)


def to_picture(frame, info: VideoInfo, crop: Crop | None, tone_map: bool = False):
    """PIL RGB image of the frame as a viewer shows it (see to_rgb)."""
    from PIL import Image

    return Image.fromarray(np.ascontiguousarray(to_rgb(frame, info, crop, tone_map)), "RGB")


def to_rgb(frame, info: VideoInfo, crop: Crop | None, tone_map: bool = False) -> np.ndarray:
    """(height, width, 3) uint8 RGB of the frame as a viewer shows it.

    10-bit and other deep formats are converted by swscale with the stream's own matrix and range straight to
    8-bit RGB (Hi10P anime would get the wrong colours with a fixed BT.601 matrix). Interlaced frames are
    shown by their first field, line-doubled ("bob"): a still never shows combing. Non-square pixels are
    stretched to the display aspect (upsampling the short way, so no detail is lost). A progressive frame
    with square pixels stays an array throughout (the crop is a view), which spares two copies of the
    picture on the way to its PNG."""
    from PIL import Image

    if info.transfer and tone_map:
        rgb = _tone_mapped(frame, info)
    else:
        rgb = reformat(frame, "picture", format="rgb24", src_colorspace=info.matrix,
                       src_color_range="JPEG" if info.full_range else "MPEG",
                       dst_color_range="JPEG").to_ndarray()
    if getattr(frame, "interlaced_frame", False):
        height, width = rgb.shape[:2]
        top = Image.fromarray(np.ascontiguousarray(rgb[::2]), "RGB")
        rgb = np.asarray(top.resize((width, height), Image.Resampling.BICUBIC))
    if crop is not None:
        left, top_row, right, bottom = crop.box(rgb.shape[1], rgb.shape[0])
        rgb = rgb[top_row:bottom, left:right]
    size = display_size(rgb.shape[1], rgb.shape[0], info.sample_aspect)
    if size == (rgb.shape[1], rgb.shape[0]):
        return rgb
    return np.asarray(Image.fromarray(np.ascontiguousarray(rgb), "RGB").resize(size, Image.Resampling.LANCZOS))


def small_picture(frame, info: VideoInfo, crop: Crop | None, tone_map: bool = False, short_side: int = 192):
    """The picture as to_picture shows it, but scaled by swscale (area averaging) so the shorter side is about
    ``short_side``: what the similar-frame check describes, a few milliseconds where the full size takes tens.
    Dedup's descriptor reduces every picture to 96 px anyway."""
    from PIL import Image

    scale = short_side / min(frame.width, frame.height)
    if scale >= 1 or (info.transfer and tone_map):
        picture = to_picture(frame, info, crop, tone_map)
        return picture if scale >= 1 else picture.resize(
            (max(1, round(picture.width * scale)), max(1, round(picture.height * scale))), Image.Resampling.BOX)
    width, height = max(1, round(frame.width * scale)), max(1, round(frame.height * scale))
    rgb = reformat(frame, "small picture", width=width, height=height, format="rgb24", src_colorspace=info.matrix,
                   src_color_range="JPEG" if info.full_range else "MPEG", dst_color_range="JPEG",
                   interpolation="AREA").to_ndarray()
    image = Image.fromarray(np.ascontiguousarray(rgb), "RGB")
    if crop is not None:
        sx, sy = width / frame.width, height / frame.height
        left, top, right, bottom = crop.box(frame.width, frame.height)
        image = image.crop((round(left * sx), round(top * sy), round(right * sx), round(bottom * sy)))
    return _display_aspect(image, info.sample_aspect)


def display_size(width: int, height: int, sample_aspect: Fraction) -> tuple[int, int]:
    """The picture's size once its pixels are square: the side that pixels are short along is stretched."""
    if sample_aspect > 1:
        return max(1, round(width * sample_aspect)), height
    if sample_aspect < 1:
        return width, max(1, round(height / sample_aspect))
    return width, height


def _display_aspect(image, sample_aspect: Fraction):
    from PIL import Image

    size = display_size(*image.size, sample_aspect)
    return image if size == image.size else image.resize(size, Image.Resampling.LANCZOS)


def _tone_mapped(frame, info: VideoInfo) -> np.ndarray:
    """A simple global tone map: PQ or HLG signal -> linear light -> Reinhard on brightness -> BT.709 -> sRGB.
    Not a grading tool; it gives stills with believable contrast instead of washed-out grey."""
    rgb = frame.reformat(format="rgb48le", src_colorspace=info.matrix,
                         src_color_range="JPEG" if info.full_range else "MPEG",
                         dst_color_range="JPEG").to_ndarray().astype(np.float32) / 65535.0
    if info.transfer.startswith("PQ"):
        m1, m2, c1, c2, c3 = 0.1593017578125, 78.84375, 0.8359375, 18.8515625, 18.6875
        p = np.power(np.clip(rgb, 0, 1), 1 / m2)
        linear = np.power(np.maximum(p - c1, 0) / (c2 - c3 * p), 1 / m1) * 100.0     # 1.0 = 100 nits
    else:                                          # HLG inverse OETF (ITU-R BT.2100), scene light 0..1 -> x12
        a, b, c = 0.17883277, 0.28466892, 0.55991073
        linear = np.where(rgb <= 0.5, rgb * rgb / 3, (np.exp((rgb - c) / a) + b) / 12) * 12.0
    linear = linear @ _2020_TO_709.T
    luminance = np.maximum(linear @ np.array([0.2126, 0.7152, 0.0722], np.float32), 1e-6)
    mapped = linear * (luminance / (1 + luminance) * (1 + luminance / 64) / luminance)[..., None]
    encoded = 1.055 * np.power(np.clip(mapped, 0.0031308, None), 1 / 2.4) - 0.055
    srgb = np.where(mapped <= 0.0031308, mapped * 12.92, encoded)
    return np.clip(np.rint(srgb * 255), 0, 255).astype(np.uint8)
