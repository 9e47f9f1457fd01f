"""Decode an image once and turn it into a Descriptor: EXIF orientation applied, alpha handled, pixel key from one reduced copy."""

from __future__ import annotations

import hashlib
import io
import os
import warnings

import numpy as np

from loraprep.dedup.descriptor import CHROMA, THUMB, Descriptor
from loraprep.dedup.hashes import area_matrix, probe_codes
from loraprep.errors import ImageError, SourceFileError
from loraprep.fast_png import decode_png
from loraprep.imaging import exif_orientation

_CUTOUT_MIN_TRANSPARENT = 0.02   # fewer transparent pixels than this: an opaque picture with a stray alpha
_CUTOUT_MIN_OPAQUE = 0.05        # less opaque area than this: nothing to compare
_FLAT_SPREAD = 10.0              # luma spread (p98 - p2) under this: a near-blank image
# Mostly one colour: at least this share of the thumbnail within _ONE_COLOUR_TOL of its median colour.
# Such a picture has too little content for a changed share to mean anything (a small logo that moved,
# another faint mark: a few percent of the picture), so it is held to near-identical pixels.
_ONE_COLOUR_SHARE = 0.9
_ONE_COLOUR_TOL = 8
# The reduced copy (pixel key, thumbnails) keeps at least this many pixels per side. 2 x THUMB, not 4:
# reducing, hashing and resampling a copy twice as large per side cost 0.75 ms instead of 0.39 (512 px
# PNGs decode in about 2.5 ms), and the thumbnails are box means either way.
KEY_SIDE = 2 * THUMB


def describe_file(path: str | os.PathLike) -> Descriptor:
    """Descriptor of the image at ``path`` (or an fsspec URL); ImageError with a one-line reason when it cannot be
    read or decoded."""
    from loraprep.locations import read_bytes

    try:
        data = read_bytes(str(path))
    except SourceFileError as exc:
        raise ImageError(exc.message) from None
    return describe_bytes(data)


def describe_bytes(data: bytes) -> Descriptor:
    """Descriptor of an encoded image held in memory."""
    from PIL import Image

    if not data:
        raise ImageError("empty file (0 bytes)")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            # most of a dataset is PNG: libspng decodes it in about 40% of Pillow's time, to the same pixels
            png = decode_png(data)
            if png is not None and not png.metadata:       # nothing Pillow could read an orientation from
                small, pixel_key = _reduced(png.image, None)
                width, height = png.image.size
            else:
                with Image.open(io.BytesIO(data)) as img:
                    small, width, height, pixel_key = _decode(img, data, png)
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


def _decode(img, data: bytes, png):
    """(small oriented image, width, height, pixel key); ``png``: the file decoded by decode_png, or None.
    The full-size image is touched by one reduce() pass only: everything else works on the reduced copy."""
    fast = png.image if png is not None else None
    if fast is None and img.format != "JPEG":
        img.load()           # before getexif: a PNG's getexif decodes the file itself and would swallow its error
    orientation = exif_orientation(img, without_loading=fast is not None)
    width, height = img.size                     # before draft() shrinks it
    if orientation in (5, 6, 7, 8):
        width, height = height, width
    pixel_key = None
    if fast is not None:
        img = fast
    elif img.format == "JPEG":
        # JPEG pixels are defined by the scan data: no full decode is needed for the exact key,
        # and DCT scaling (draft) makes the thumbnail nearly free.
        pixel_key = _jpeg_scan_key(data, orientation)
        img.draft("RGB", (THUMB * 2, THUMB * 2))
        img.load()
    small, key = _reduced(_normalise_mode(img), orientation)
    return small, width, height, pixel_key or key


def describe_loaded(img, data: bytes, orientation: int | None) -> Descriptor:
    """Descriptor of an image another stage already decoded in full (``img``, loaded, not yet oriented; ``data``:
    its file bytes): scan describes each new image from its own decode, so dedup need not decode it again.
    A JPEG keeps the key of its scan data, as describe_bytes gives it: the same file gets the same exact key."""
    width, height = img.size
    if orientation in (5, 6, 7, 8):
        width, height = height, width
    small, key = _reduced(_normalise_mode(img), orientation)
    if (img.format or "").upper() == "JPEG":
        key = _jpeg_scan_key(data, orientation)
    return _descriptor_from_small(small, width, height, key)


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
    full-size hash (a second pass over every pixel, about 40% of a PNG decode) is avoided. The part of
    a side that does not fill a whole block (under one block) is left out evenly at both ends: a mirrored
    copy then reduces to the mirror of the reduced copy (a partial block at one end breaks that).
    """
    from PIL import Image

    if img.mode == "RGBA":
        img = img.convert("RGBa")                # premultiplied: colours under transparent pixels must not bleed in
    factor = (max(1, img.size[0] // KEY_SIDE), max(1, img.size[1] // KEY_SIDE))
    if factor != (1, 1):
        (w, h), (fx, fy) = img.size, factor
        left, top = (w % fx) // 2, (h % fy) // 2
        small = img.reduce(factor, box=(left, top, left + w - w % fx, top + h - h % fy))
    else:
        small = img
    if orientation in _TRANSPOSE:                # rotating the reduced copy is the same picture, 1/factor^2 the work
        small = small.transpose(getattr(Image.Transpose, _TRANSPOSE[orientation]))
    arr = np.asarray(small)                      # (h, w, 3) RGB or (h, w, 4) premultiplied RGBa
    mode = small.mode
    if mode == "RGBa" and arr[..., 3].min() == 255:
        arr, mode = np.ascontiguousarray(arr[..., :3]), "RGB"      # an alpha channel that is all opaque is no alpha
    h = hashlib.sha256()
    h.update(f"{mode}:{img.size[0]}x{img.size[1]}/{factor[0]}x{factor[1]}:".encode())
    h.update(arr.data)
    return arr, h.digest()


# JFIF (ITU-R BT.601, full range) RGB -> YCbCr, as Pillow's convert("YCbCr")
_YCC = np.array([[0.299, 0.587, 0.114], [-0.168736, -0.331264, 0.5], [0.5, -0.418688, -0.081312]], np.float32)
_YCC_OFFSET = np.array([0.0, 128.0, 128.0], np.float32)[:, None]


def _descriptor_from_small(small: np.ndarray, width: int, height: int, pixel_key: bytes) -> Descriptor:
    """All descriptor parts from the reduced copy (h, w, 3 or 4 premultiplied) by exact area means, a few
    numpy calls on THUMB x THUMB planes.

    Area means, not Pillow's BOX filter: its windows round differently at the two ends of a side whose
    length is no multiple of THUMB, and a mirrored picture must give the mirrored thumbnail."""
    h, w, channels = small.shape
    planes = area_matrix(THUMB, h) @ small.transpose(2, 0, 1).astype(np.float32) @ area_matrix(THUMB, w).T
    planes = np.clip(np.rint(planes), 0, 255)
    mask = None
    rgb = planes[:3].reshape(3, -1)
    if channels == 4:
        a = planes[3]
        rgb = np.minimum(rgb + (255 - a).reshape(1, -1), 255)   # composited onto white: premultiplied colour + white
        transparent = float((a < 128).mean())
        if _CUTOUT_MIN_TRANSPARENT <= transparent <= 1 - _CUTOUT_MIN_OPAQUE:
            mask = a.astype(np.uint8)
    ycc = np.clip(np.rint(_YCC @ rgb + _YCC_OFFSET), 0, 255).reshape(3, THUMB, THUMB)
    luma = ycc[0].astype(np.uint8)
    pool = area_matrix(CHROMA, THUMB)
    chroma = np.rint(pool @ ycc[1:] @ pool.T).astype(np.uint8)
    counts = np.cumsum(np.bincount(luma.reshape(-1), minlength=256))
    n = luma.size
    spread = int(np.searchsorted(counts, n * 98 // 100, side="right")) - \
        int(np.searchsorted(counts, n * 2 // 100, side="right"))      # p98 - p2, as sorted[n * q // 100]
    return Descriptor(width, height, pixel_key, luma, chroma[0], chroma[1], probe_codes(luma), mask,
                      spread < _FLAT_SPREAD, mostly_one_colour(luma, chroma))


def mostly_one_colour(luma: np.ndarray, chroma: np.ndarray) -> bool:
    """True when nearly all of the picture (luma, and both chroma planes) sits near its median colour."""
    def share(plane: np.ndarray) -> float:
        values = plane.reshape(-1).astype(np.int16)
        middle = np.partition(values, len(values) // 2)[len(values) // 2]
        return float((np.abs(values - middle) <= _ONE_COLOUR_TOL).mean())

    return min(share(luma), share(chroma[0]), share(chroma[1])) >= _ONE_COLOUR_SHARE


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
