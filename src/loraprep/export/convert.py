"""Decide how an image reaches the export (link, copy or convert) and do it; sources are only ever read.

Every trainer reads JPEG and PNG; not all read WebP/AVIF/GIF/TIFF/HEIF, none composite alpha the same way,
and none applies EXIF orientation. So: JPEG/PNG that need nothing are copied (a copy-on-write clone where the
file system can) or, when asked, hard-linked; anything
else is decoded once, EXIF orientation applied, alpha composited onto white, converted to RGB (or L), and
written as PNG (JPEG sources that only need rotating or a CMYK->RGB change stay JPEG, quality 95).
"""

from __future__ import annotations

import errno
import os
from dataclasses import dataclass
from pathlib import Path

from loraprep.errors import ImageError
from loraprep.export.clone import clone_or_copy

PASS_THROUGH_FORMATS = {"JPEG", "PNG"}
PASS_THROUGH_MODES = {"RGB", "L", "P", ""}  # "" = unknown: sniffed before deciding
_EXTENSIONS = {"JPEG": ".jpg", "PNG": ".png"}


@dataclass(frozen=True)
class Conversion:
    """What placing one image takes: the output extension and the changes (empty = link or copy as is)."""

    extension: str
    steps: tuple[str, ...] = ()

    @property
    def needed(self) -> bool:
        return bool(self.steps)


def decide(fmt: str, mode: str, has_alpha: bool, exif_rotated: bool = False, animated: bool = False,
           source_suffix: str = "") -> Conversion:
    """Pure: which changes an image needs, from what decoding already recorded about it."""
    fmt = (fmt or "").upper()
    steps: list[str] = []
    if fmt not in PASS_THROUGH_FORMATS:
        steps.append(f"{fmt.lower() or 'unknown'}->png")
    if animated:
        steps.append("first-frame")
    if has_alpha or mode in ("RGBA", "LA", "PA", "RGBa", "La"):
        steps.append("alpha->white")
    elif mode == "CMYK":
        steps.append("cmyk->rgb")
    elif mode not in PASS_THROUGH_MODES and mode not in ("RGBA", "LA", "PA"):
        steps.append(f"{mode.lower()}->rgb")
    if exif_rotated:
        steps.append("exif-orientation")
    if not steps:
        extension = source_suffix.lower() if source_suffix.lower() in (".jpg", ".jpeg", ".png") else _EXTENSIONS[fmt]
        return Conversion(extension)
    keep_jpeg = fmt == "JPEG" and not animated and not has_alpha
    return Conversion(".jpg" if keep_jpeg else ".png", tuple(steps))


def sniff(path: Path) -> tuple[str, str, bool, bool, bool]:
    """(format, mode, has_alpha, exif_rotated, animated) read from the header, for items the store did not describe."""
    from PIL import Image

    try:
        with Image.open(path) as im:
            orientation = im.getexif().get(0x0112, 1) if hasattr(im, "getexif") else 1
            alpha = im.mode in ("RGBA", "LA", "PA") or (im.mode == "P" and "transparency" in im.info)
            return im.format or "", im.mode, alpha, orientation not in (0, 1), bool(getattr(im, "is_animated", False))
    except Exception as exc:  # Pillow raises many types for a bad file
        raise ImageError(f"{path}: cannot read image: {exc}",
                         hint="run `loraprep scan` to record failed images") from exc


def place_file(source: Path, dest: Path, mode: str) -> str:
    """Put ``source`` at ``dest`` unchanged: "link" mode hard-links it (a copy where links are impossible), any
    other mode copies it, as a clone where possible. Returns what was done: link | reflink | copy."""
    if mode == "link":
        try:
            os.link(source, dest)
            return "link"
        except OSError as exc:
            if exc.errno not in (errno.EXDEV, errno.EPERM, errno.EMLINK, errno.ENOTSUP, errno.EACCES, errno.EOPNOTSUPP):
                raise
    return clone_or_copy(source, dest)


def convert_file(source: Path, dest: Path, conversion: Conversion, jpeg_quality: int = 95) -> tuple[str, ...]:
    """Decode ``source``, apply the steps, write ``dest`` (PNG or JPEG by its suffix); return the steps done.

    EXIF orientation is applied whenever the image is decoded anyway, even if the store did not flag it.
    """
    from PIL import Image, ImageOps

    steps = list(conversion.steps)
    try:
        with Image.open(source) as opened:
            opened.seek(0)
            orientation = opened.getexif().get(0x0112, 1)
            image = ImageOps.exif_transpose(opened)
    except Exception as exc:  # Pillow raises many types for a bad file
        raise ImageError(f"{source}: cannot decode for conversion: {exc}",
                         hint="run `loraprep scan` again; the file may have changed since") from exc
    if orientation not in (0, 1) and "exif-orientation" not in steps:
        steps.append("exif-orientation")
    image = to_rgb(image)
    if dest.suffix.lower() in (".jpg", ".jpeg"):
        image.save(dest, "JPEG", quality=jpeg_quality, subsampling=0 if jpeg_quality >= 90 else 2)
    else:
        image.save(dest, "PNG", compress_level=1)
    return tuple(steps)


def to_rgb(image):
    """Alpha composited onto white; CMYK, 16-bit and palette images turned into 8-bit RGB (greyscale stays L)."""
    from PIL import Image

    if image.mode == "P":
        image = image.convert("RGBA") if "transparency" in image.info else image.convert("RGB")
    if image.mode in ("RGBa", "La"):
        image = image.convert("RGBA")
    if image.mode in ("RGBA", "LA", "PA"):
        rgba = image.convert("RGBA")
        background = Image.new("RGB", rgba.size, (255, 255, 255))
        background.paste(rgba, mask=rgba.getchannel("A"))
        return background
    if image.mode in ("I;16", "I;16B", "I;16L", "I"):
        # Pillow's direct convert clips 16-bit values to 255; scale to 8 bits instead.
        return image.convert("I").point(lambda v: v / 256).convert("L")
    if image.mode == "F":
        return image.convert("L")
    if image.mode in ("RGB", "L"):
        return image
    return image.convert("RGB")
