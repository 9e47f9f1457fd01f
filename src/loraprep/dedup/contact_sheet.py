"""Render one duplicate group as a PNG contact sheet: keeper first, each member captioned with why and distance."""

from __future__ import annotations

import io
from typing import Callable

from loraprep.dedup.find import DupGroup

_TILE = 192
_CAPTION = 34


SIGNATURE_KEY = "loraprep-sheet"   # PNG text chunk: what the sheet shows (see sheet_signature)


def sheet_signature(group: DupGroup, content: Callable[[object], str]) -> str:
    """A digest of everything a sheet shows: ids, captions and each file's content hash (``content(image_id)``).
    Equal signatures draw equal sheets, so a rerun need not decode the pictures again."""
    import hashlib

    entries = [(group.keeper_id, "KEEP", 0.0)] + [(m.image_id, m.why, m.distance) for m in group.members]
    text = repr([(str(i), why, float(d), content(i)) for i, why, d in entries]) + f"/{_TILE}/{_CAPTION}"
    return hashlib.sha256(text.encode()).hexdigest()


def stored_signature(path) -> str | None:
    """The signature written into an existing sheet, or None (no file, not a sheet, unreadable)."""
    from PIL import Image

    try:
        with Image.open(path) as img:
            return img.text.get(SIGNATURE_KEY) if img.format == "PNG" else None
    except (OSError, ValueError, SyntaxError):
        return None


def contact_sheet(group: DupGroup, open_image: Callable[[object], "object"], columns: int = 4,
                  signature: str = "") -> bytes:
    """PNG bytes. ``open_image(image_id)`` returns a PIL image (or raises; the tile then says so);
    ``signature`` (sheet_signature) is stored in the PNG so that a rerun can tell the sheet is current."""
    from PIL import Image, ImageDraw
    from PIL.PngImagePlugin import PngInfo

    entries = [(group.keeper_id, "KEEP", "")] + [(m.image_id, m.why, f"distance {m.distance:g}") for m in group.members]
    rows = (len(entries) + columns - 1) // columns
    width = columns * _TILE
    sheet = Image.new("RGB", (width, rows * (_TILE + _CAPTION)), (245, 245, 245))
    draw = ImageDraw.Draw(sheet)
    for at, (image_id, line1, line2) in enumerate(entries):
        x, y = (at % columns) * _TILE, (at // columns) * (_TILE + _CAPTION)
        try:
            img = _tile(open_image(image_id))
            sheet.paste(img, (x + (_TILE - img.width) // 2, y + (_TILE - img.height) // 2))
        except Exception as exc:  # one unreadable file must not lose the whole sheet
            draw.text((x + 6, y + _TILE // 2), f"cannot open: {exc}"[:40], fill=(160, 0, 0))
        colour = (0, 110, 0) if line1 == "KEEP" else (60, 60, 60)
        draw.text((x + 6, y + _TILE + 2), f"{str(image_id)[:28]}", fill=(0, 0, 0))
        draw.text((x + 6, y + _TILE + 12), line1[:34], fill=colour)
        if line2:
            draw.text((x + 6, y + _TILE + 22), line2, fill=colour)
    buf = io.BytesIO()
    info = PngInfo()
    if signature:
        info.add_text(SIGNATURE_KEY, signature)
    sheet.save(buf, "PNG", compress_level=1, pnginfo=info)   # a preview: zlib's best effort took a fifth of `loraprep dedup`
    return buf.getvalue()


def _tile(img):
    """The picture shrunk to a tile first (JPEG decodes at 1/2..1/8 scale), then put on a checkerboard:
    the compositing works on a tile's pixels, not on the full-size picture's."""
    side = _TILE - 8
    img.draft("RGB" if img.mode == "RGB" else None, (side, side))
    img.thumbnail((side, side), reducing_gap=2.0)
    return _on_checkerboard(img)


def _on_checkerboard(img):
    """Transparent pixels drawn over a checkerboard, so a cut-out is visibly a cut-out."""
    import numpy as np
    from PIL import Image

    if img.mode not in ("RGBA", "LA", "PA") and "transparency" not in img.info:
        return img.convert("RGB")
    rgba = img.convert("RGBA")
    cell = 8
    yy, xx = np.indices((rgba.height, rgba.width))
    board = np.where(((yy // cell + xx // cell) % 2)[..., None] == 1, 210, 255).astype(np.uint8)
    board = Image.fromarray(np.repeat(board, 3, axis=2), "RGB").convert("RGBA")
    return Image.alpha_composite(board, rgba).convert("RGB")
