"""Small Pillow helpers that several stages share (kept here so stages never import each other)."""

from __future__ import annotations


def exif_orientation(img) -> int | None:
    """The EXIF orientation tag (1-8) of an open image, or None when absent or unreadable."""
    try:
        value = img.getexif().get(0x0112)
    except Exception:  # a broken EXIF block is not a broken image
        return None
    return int(value) if isinstance(value, int) else None
