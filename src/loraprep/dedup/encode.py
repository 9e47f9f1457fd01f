"""Decode an image once and turn it into a Descriptor: EXIF orientation applied, alpha handled, pixel key from one reduced copy."""

from __future__ import annotations

import hashlib
import io
import os
import warnings

import numpy as np

from loraprep.dedup.descriptor import CHROMA, THUMB, Descriptor
from loraprep.dedup.hashes import probe_codes
from loraprep.errors import ImageError
from loraprep.imaging import exif_orientation

_CUTOUT_MIN_TRANSPARENT = 0.02   # fewer transparent pixels than this: an opaque picture with a stray alpha
_CUTOUT_MIN_OPAQUE = 0.05        # less opaque area than this: nothing to compare
_FLAT_SPREAD = 10.0              # luma spread (p98 - p2) under this: a near-blank image
KEY_SIDE = 4 * THUMB             # the reduced copy (pixel key, thumbnails) keeps at least this many pixels per side


def describe_file(path: str | os.PathLike) -> Descriptor:
    """Descriptor of the image at ``path``; ImageError with a one-line reason when it cannot be decoded."""
    try:
        with open(path, "rb") as handle:
            data = handle.read()
    except OSError as exc:
        raise ImageError(f"unreadable: {exc.strerror or exc}") from exc
    return describe_bytes(data)


def describe_bytes(data: bytes) -> Descriptor:
    """Descriptor of an encoded image held in memory."""
    from PIL import Image

    if not data:
        raise ImageError("empty file (0 bytes)")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as img:
                small, width, height, pixel_key = _decode(img, data)
    except ImageError:
        raise
    except Image.UnidentifiedImageError as exc:
        raise ImageError("not an image (unrecognised format)") from exc
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise ImageError("decompression bomb: over the pixel limit (LORAPREP_MAX_PIXELS)") from exc
    except (OSError, SyntaxError, ValueError, EOFError, IndexError, MemoryError) as exc:
        message = str(exc) or type(exc).__name__
        if "truncated" in message.lower() or isinstance(exc, EOFError):
            raise ImageError(f"truncated file: {message}") from exc
        raise ImageError(f"decode failed: {message}") from exc
    return _descriptor_from_small(small, width, height, pixel_key)


def _decode(img, data: bytes):
    """(small oriented image, width, height, pixel key). The full-size image is touched by one
    reduce() pass only: everything else works on the reduced copy."""
    orientation = exif_orientation(img)
    width, height = img.size                     # before draft() shrinks it
    if orientation in (5, 6, 7, 8):
        width, height = height, width
    if img.format == "JPEG":
        # JPEG pixels are defined by the scan data: no full decode is needed for the exact key,
        # and DCT scaling (draft) makes the thumbnail nearly free.
        pixel_key = _jpeg_scan_key(data, orientation)
        img.draft("RGB", (THUMB * 2, THUMB * 2))
    else:
        pixel_key = None
    img.load()
    small, key = _reduced(_normalise_mode(img), orientation)
    return small, width, height, pixel_key or key


def describe_image(img, pixel_key: bytes | None = None) -> Descriptor:
    """Descriptor of an already decoded, already oriented PIL image (used by tests and other stages)."""
    small, key = _reduced(_normalise_mode(img), None)
    return _descriptor_from_small(small, img.size[0], img.size[1], pixel_key if pixel_key is not None else key)


_TRANSPOSE = {2: "FLIP_LEFT_RIGHT", 3: "ROTATE_180", 4: "FLIP_TOP_BOTTOM", 5: "TRANSPOSE", 6: "ROTATE_270",
              7: "TRANSVERSE", 8: "ROTATE_90"}        # EXIF orientation -> the transpose that shows it upright


def _reduced(img, orientation: int | None):
    """(image reduced to about KEY_SIDE per side, upright, premultiplied when it has alpha; its pixel key).

    The pixel key hashes this reduced copy (block means of (side // KEY_SIDE)^2 pixels; every pixel
    below KEY_SIDE): the same picture saved as PNG and as lossless WebP gets the same key, and a
    full-size hash (a second pass over every pixel, about 40% of a PNG decode) is avoided.
    """
    from PIL import Image

    if img.mode == "RGBA":
        img = img.convert("RGBa")                # premultiplied: colours under transparent pixels must not bleed in
    factor = (max(1, img.size[0] // KEY_SIDE), max(1, img.size[1] // KEY_SIDE))
    small = img.reduce(factor) if factor != (1, 1) else img
    if orientation in _TRANSPOSE:                # rotating the reduced copy is the same picture, 1/factor^2 the work
        small = small.transpose(getattr(Image.Transpose, _TRANSPOSE[orientation]))
    if small.mode == "RGBa" and small.getextrema()[3][0] == 255:
        small = small.convert("RGB")             # an alpha channel that is all opaque is no alpha
    h = hashlib.sha256()
    h.update(f"{small.mode}:{img.size[0]}x{img.size[1]}/{factor[0]}x{factor[1]}:".encode())
    h.update(small.tobytes())
    return small, h.digest()


def _descriptor_from_small(small, width: int, height: int, pixel_key: bytes) -> Descriptor:
    """All descriptor parts from one THUMB x THUMB resample, in Pillow's C code where it can."""
    from PIL import Image

    thumb = small.resize((THUMB, THUMB), Image.Resampling.BOX)
    mask = None
    if thumb.mode == "RGBa":
        arr = np.asarray(thumb)
        a = arr[..., 3]
        # composited onto white: premultiplied colour plus white where transparent
        rgb = np.minimum(arr[..., :3].astype(np.uint16) + (255 - a)[..., None], 255).astype(np.uint8)
        transparent = float((a < 128).mean())
        if _CUTOUT_MIN_TRANSPARENT <= transparent <= 1 - _CUTOUT_MIN_OPAQUE:
            mask = np.ascontiguousarray(a)
        thumb = Image.fromarray(rgb, "RGB")
    ycc = thumb.convert("YCbCr")
    luma = np.asarray(ycc.getchannel(0))
    chroma = ycc.resize((CHROMA, CHROMA), Image.Resampling.BOX)
    cb, cr = np.asarray(chroma.getchannel(1)), np.asarray(chroma.getchannel(2))
    ordered = np.sort(luma, axis=None)
    spread = int(ordered[len(ordered) * 98 // 100]) - int(ordered[len(ordered) * 2 // 100])
    return Descriptor(width, height, pixel_key, luma, cb, cr, probe_codes(luma), mask, spread < _FLAT_SPREAD)


def _normalise_mode(img):
    """RGB, or RGBA when the image carries transparency; 16-bit and palette modes folded to 8-bit."""
    mode = img.mode
    if mode in ("RGB", "RGBA"):
        return img
    if mode in ("I;16", "I;16B", "I;16L", "I"):
        arr = np.asarray(img, dtype=np.uint32)
        shift = 8 if arr.max(initial=0) > 255 else 0
        from PIL import Image

        return Image.fromarray((arr >> shift).astype(np.uint8), "L").convert("RGB")
    has_alpha = mode in ("LA", "La", "RGBa", "PA") or "transparency" in img.info
    return img.convert("RGBA" if has_alpha else "RGB")


def _jpeg_scan_key(data: bytes, orientation: int | None) -> bytes:
    """Hash of a JPEG without its APPn/COM segments (metadata): equal keys decode to equal pixels."""
    h = hashlib.sha256()
    h.update(f"jpeg:{orientation or 1}:".encode())
    at = 2
    n = len(data)
    while at + 4 <= n and data[at] == 0xFF:
        marker = data[at + 1]
        if marker == 0xFF:
            at += 1
            continue
        length = int.from_bytes(data[at + 2: at + 4], "big")
        if marker == 0xDA:          # start of scan: the rest is entropy-coded data
            h.update(data[at:])
            return h.digest()
        if not (0xE0 <= marker <= 0xEF or marker == 0xFE):
            h.update(data[at: at + 2 + length])
        at += 2 + length
    h.update(data)
    return h.digest()
