"""Decode an image once and turn it into a Descriptor: EXIF orientation applied, alpha handled, exact pixel key."""

from __future__ import annotations

import hashlib
import io
import os
import warnings

import numpy as np

from loraprep.dedup.descriptor import CHROMA, THUMB, Descriptor
from loraprep.dedup.hashes import probe_codes
from loraprep.errors import ImageError

_CUTOUT_MIN_TRANSPARENT = 0.02   # fewer transparent pixels than this: an opaque picture with a stray alpha
_CUTOUT_MIN_OPAQUE = 0.05        # less opaque area than this: nothing to compare
_FLAT_SPREAD = 10.0              # luma spread (p98 - p2) under this: a near-blank image


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
                img, alpha, width, height, pixel_key = _decode(img, data)
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
    return _descriptor_from_rgb(img, alpha, width, height, pixel_key)


def _decode(img, data: bytes):
    """(oriented RGB/RGBA image, alpha array or None, width, height, exact pixel key)."""
    from PIL import ImageOps

    orientation = _orientation(img)
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
    if orientation not in (None, 1):
        img = ImageOps.exif_transpose(img)
    img = _normalise_mode(img)
    alpha = None
    if img.mode == "RGBA":
        a = np.asarray(img.getchannel("A"))
        if int(a.min()) == 255:
            img = img.convert("RGB")
        else:
            alpha = a
    if pixel_key is None:
        pixel_key = _pixel_key(img)
    return img, alpha, width, height, pixel_key


def describe_image(img, pixel_key: bytes | None = None) -> Descriptor:
    """Descriptor of an already decoded, already oriented PIL image (used by tests and other stages)."""
    img = _normalise_mode(img)
    alpha = None
    if img.mode == "RGBA":
        a = np.asarray(img.getchannel("A"))
        if int(a.min()) == 255:
            img = img.convert("RGB")
        else:
            alpha = a
    key = pixel_key if pixel_key is not None else _pixel_key(img)
    return _descriptor_from_rgb(img, alpha, img.size[0], img.size[1], key)


def _descriptor_from_rgb(img, alpha, width: int, height: int, pixel_key: bytes) -> Descriptor:
    from PIL import Image

    small = img.resize((THUMB, THUMB), Image.Resampling.BOX, reducing_gap=2.0)
    rgb = np.asarray(small, dtype=np.float32)
    mask = None
    if alpha is not None:
        a = rgb[..., 3:4] / 255.0
        rgb = rgb[..., :3] * a + 255.0 * (1.0 - a)      # resize works premultiplied, so colours under transparent pixels do not bleed in
        transparent = float((alpha < 128).mean())
        if _CUTOUT_MIN_TRANSPARENT <= transparent <= 1 - _CUTOUT_MIN_OPAQUE:
            mask = np.clip(a[..., 0] * 255.0 + 0.5, 0, 255).astype(np.uint8)
    ycc = _ycbcr(rgb)
    luma = np.clip(ycc[..., 0] + 0.5, 0, 255).astype(np.uint8)
    k = THUMB // CHROMA
    chroma = ycc[..., 1:].reshape(CHROMA, k, CHROMA, k, 2).mean(axis=(1, 3))
    cb = np.clip(chroma[..., 0] + 0.5, 0, 255).astype(np.uint8)
    cr = np.clip(chroma[..., 1] + 0.5, 0, 255).astype(np.uint8)
    lo, hi = np.percentile(luma, [2, 98])
    return Descriptor(width, height, pixel_key, luma, cb, cr, probe_codes(luma), mask, bool(hi - lo < _FLAT_SPREAD))


def _ycbcr(rgb: np.ndarray) -> np.ndarray:
    r, g, b = rgb[..., 0], rgb[..., 1], rgb[..., 2]
    y = 0.299 * r + 0.587 * g + 0.114 * b
    cb = 128.0 - 0.168736 * r - 0.331264 * g + 0.5 * b
    cr = 128.0 + 0.5 * r - 0.418688 * g - 0.081312 * b
    return np.stack([y, cb, cr], axis=-1)


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


def _pixel_key(img) -> bytes:
    h = hashlib.sha256()                  # hardware-accelerated on current CPUs: ~2x blake2b here
    h.update(f"{img.mode}:{img.size[0]}x{img.size[1]}:".encode())
    h.update(img.tobytes())
    return h.digest()


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


def _orientation(img) -> int | None:
    try:
        value = img.getexif().get(0x0112)
    except Exception:  # a broken EXIF block is not a broken image
        return None
    return int(value) if isinstance(value, int) else None
