"""Decode and verify one image's bytes with Pillow: size limits, truncation, modes, EXIF orientation, animation."""

from __future__ import annotations

import io
import warnings
from typing import Callable

from loraprep import settings
from loraprep.errors import ImageError
from loraprep.imaging import exif_orientation
from loraprep.model.image import ImageInfo

_ALPHA_MODES = {"RGBA", "LA", "PA", "RGBa", "La"}


def _pillow():
    from PIL import Image

    try:  # AVIF support on Pillow builds that lack it natively
        import pillow_avif  # noqa: F401
    except ImportError:
        pass
    Image.MAX_IMAGE_PIXELS = settings.max_pixels()
    return Image


def probe_bytes(data: bytes, name: str = "", on_decoded: Callable[[object, bytes, int | None], object] | None = None
                ) -> ImageInfo | tuple[ImageInfo, object]:
    """Fully decode ``data`` and describe it; ImageError with a one-line reason when it is not a usable image.

    ``on_decoded(img, data, orientation)``, when given, sees the decoded image while it is open (another stage's
    use of the same decode) and ``(info, its result)`` is returned; its failure is its own (result None)."""
    Image = _pillow()
    if not data:
        raise ImageError("empty file (0 bytes)")
    limit = Image.MAX_IMAGE_PIXELS
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as img:
                width, height = img.size
                if limit and width * height > limit:
                    raise ImageError(f"decompression bomb: {width}x{height} is over the {limit:,} pixel limit (LORAPREP_MAX_PIXELS)")
                fmt = (img.format or "").upper()
                frames = int(getattr(img, "n_frames", 1) or 1)
                img.load()
                mode = img.mode
                has_alpha = mode in _ALPHA_MODES or (mode == "P" and "transparency" in img.info) \
                    or (mode in ("RGB", "L") and "transparency" in img.info)
                orientation = exif_orientation(img)
                extra = _also(on_decoded, img, data, orientation)
    except ImageError:
        raise
    except Image.DecompressionBombError as exc:
        raise ImageError(f"decompression bomb: {exc}".split(" could be")[0] + " (limit: LORAPREP_MAX_PIXELS)") from exc
    except Image.DecompressionBombWarning as exc:
        raise ImageError(f"decompression bomb: image is over the {limit:,} pixel limit (LORAPREP_MAX_PIXELS)") from exc
    except Image.UnidentifiedImageError as exc:
        raise ImageError("not an image (unrecognised format)") from exc
    except (OSError, SyntaxError, ValueError, EOFError, IndexError) as exc:
        message = str(exc) or type(exc).__name__
        if "truncated" in message.lower() or isinstance(exc, EOFError):
            raise ImageError(f"truncated file: {message}") from exc
        raise ImageError(f"decode failed: {message}") from exc
    rotated = orientation in (5, 6, 7, 8)
    if rotated:
        width, height = height, width
    info = ImageInfo(width=width, height=height, format=fmt, mode=mode, has_alpha=has_alpha,
                     animated=frames > 1, frames=frames, exif_rotated=orientation not in (None, 1))
    return info if on_decoded is None else (info, extra)


def _also(on_decoded, img, data: bytes, orientation):
    """The caller's extra use of the decode; a failure there never fails the image (that stage decodes it itself)."""
    if on_decoded is None:
        return None
    try:
        return on_decoded(img, data, orientation)
    except Exception:  # noqa: BLE001 - the extra result is an optimisation: its absence is recomputed later
        return None
