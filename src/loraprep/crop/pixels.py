"""Cut a box out of a source picture, in its displayed orientation, as PNG bytes."""

from __future__ import annotations

import io
from pathlib import Path

from loraprep import settings


def cut_png(path: Path, box: tuple[int, int, int, int]) -> tuple[bytes, tuple[int, int]]:
    """(PNG bytes, (width, height)) of ``box`` on the picture at ``path`` (EXIF orientation applied; transparency
    kept; 16-bit and palette pictures as 8-bit RGB(A))."""
    from PIL import Image, ImageOps

    from loraprep.regular_file import require_regular

    Image.MAX_IMAGE_PIXELS = settings.max_pixels()
    require_regular(path)
    with Image.open(path) as img:
        img.load()
        img = ImageOps.exif_transpose(img)
        alpha = img.mode in ("RGBA", "LA", "PA") or "transparency" in img.info
        if img.mode.startswith("I"):
            img = img.point(lambda v: v / 256).convert("L")
        piece = img.convert("RGBA" if alpha else "RGB").crop(box)
    buf = io.BytesIO()
    piece.save(buf, "PNG", compress_level=3)
    return buf.getvalue(), piece.size
