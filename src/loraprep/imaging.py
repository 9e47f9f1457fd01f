"""Small Pillow helpers that several stages share (kept here so stages never import each other)."""

from __future__ import annotations


def exif_orientation(img, *, without_loading: bool = False) -> int | None:
    """The EXIF orientation tag (1-8) of an open image, or None when absent or unreadable.

    ``without_loading``: read only the metadata Pillow met while opening the file. A PNG's own
    getexif decodes the whole image to look for EXIF after the pixel data; callers that decode
    the pixels another way (fast_png) know there is none there.
    """
    from PIL import Image

    try:
        exif = Image.Image.getexif(img) if without_loading else img.getexif()
        value = exif.get(0x0112)
    except Exception:  # a broken EXIF block is not a broken image
        return None
    return int(value) if isinstance(value, int) else None
