"""Render one duplicate group as a PNG contact sheet: keeper first, each member captioned with why and distance."""

from __future__ import annotations

import io
from functools import lru_cache
from typing import Callable

from loraprep.dedup.find import DupGroup

_TILE = 192
_CAPTION = 34


SIGNATURE_KEY = "loraprep-sheet"   # PNG text chunk: what the sheet shows (see sheet_signature)


def sheet_signature(group: DupGroup, content: Callable[[object], str]) -> str:
    """A digest of everything a sheet shows: ids, captions and what ``content(image_id)`` says of each file
    (its content hash and its name).
    Equal signatures draw equal sheets, so a rerun need not decode the pictures again."""
    import hashlib

    entries = [(group.keeper_id, "KEEP", 0.0)] + [(m.image_id, m.why, m.distance) for m in group.members]
    text = repr([(str(i), why, float(d), content(i)) for i, why, d in entries]) + f"/{_TILE}/{_CAPTION}/names"
    return hashlib.sha256(text.encode()).hexdigest()


def stored_signature(path) -> str | None:
    """The signature written into an existing sheet, or None (no file, not a sheet, unreadable)."""
    from PIL import Image

    try:
        with Image.open(path) as img:
            # info, not img.text: the signature is written before the pixels, and .text decodes the whole sheet
            return img.info.get(SIGNATURE_KEY) if img.format == "PNG" else None
    except (OSError, ValueError, SyntaxError):
        return None


def open_picture(path):
    """A picture for a tile: plain PNGs through libspng (fast_png), anything else opened lazily by Pillow
    so that a JPEG can still decode at a fraction of its size."""
    from PIL import Image

    from loraprep.fast_png import decode_png

    from loraprep.regular_file import read_regular

    data = read_regular(str(path))
    png = decode_png(data)
    return png.image if png is not None else Image.open(io.BytesIO(data))


def contact_sheet(group: DupGroup, open_image: Callable[[object], "object"], columns: int = 4,
                  signature: str = "", label: Callable[[object], str] = str) -> bytes:
    """PNG bytes. ``open_image(image_id)`` returns a PIL image (or raises; the tile then says so);
    ``label(image_id)`` names the picture under its tile (a long name keeps its end);
    ``signature`` (sheet_signature) is stored in the PNG so that a rerun can tell the sheet is current."""
    from PIL import Image, ImageDraw

    entries = [(group.keeper_id, "KEEP", "")] + [(m.image_id, m.why, f"distance {m.distance:g}") for m in group.members]
    rows = (len(entries) + columns - 1) // columns
    width = columns * _TILE
    sheet = Image.new("RGB", (width, rows * (_TILE + _CAPTION)), (245, 245, 245))
    draw = ImageDraw.Draw(sheet)
    font = _caption_font()

    def caption(at, text: str, fill) -> None:
        # the bitmap font knows Latin-1 only (a file name in an error message may hold anything)
        draw.text(at, text.encode("latin-1", "replace").decode("latin-1"), fill=fill, font=font)

    for at, (image_id, line1, line2) in enumerate(entries):
        x, y = (at % columns) * _TILE, (at // columns) * (_TILE + _CAPTION)
        try:
            img = _tile(open_image(image_id))
            sheet.paste(img, (x + (_TILE - img.width) // 2, y + (_TILE - img.height) // 2))
        except Exception as exc:  # one unreadable file must not lose the whole sheet
            caption((x + 6, y + _TILE // 2), f"cannot open: {exc}"[:40], (160, 0, 0))
        colour = (0, 110, 0) if line1 == "KEEP" else (60, 60, 60)
        name = label(image_id)
        caption((x + 6, y + _TILE + 2), name if len(name) <= 30 else "..." + name[-27:], (0, 0, 0))
        caption((x + 6, y + _TILE + 12), line1[:34], colour)
        if line2:
            caption((x + 6, y + _TILE + 22), line2, colour)
    return _png(sheet, {SIGNATURE_KEY: signature} if signature else {})


def _png(img, text: dict[str, str]) -> bytes:
    """PNG bytes of an RGB image: rows unfiltered, deflate level 1, ``text`` as tEXt chunks before the pixels.

    A preview needs no better: Pillow's encoder chooses a filter per row, which took 14-20 ms a sheet even
    at compression level 0, against 7 ms here for a file about 12% larger (zlib's best effort, earlier
    still, took a fifth of `loraprep dedup`)."""
    import struct
    import zlib

    import numpy as np

    pixels = np.asarray(img.convert("RGB"))
    height, width = pixels.shape[:2]
    rows = np.zeros((height, 1 + width * 3), np.uint8)          # filter byte 0 (none) before every row
    rows[:, 1:] = pixels.reshape(height, -1)

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    parts = [b"\x89PNG\r\n\x1a\n", chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))]
    parts += [chunk(b"tEXt", key.encode("latin-1") + b"\0" + value.encode("latin-1")) for key, value in text.items()]
    parts += [chunk(b"IDAT", zlib.compress(rows.tobytes(), 1)), chunk(b"IEND", b"")]
    return b"".join(parts)


@lru_cache(maxsize=1)
def _caption_font():
    """Pillow's bitmap font: 0.02 ms a caption line where the default FreeType font took 0.5 ms, three lines
    a picture (a third of a sheet's time)."""
    from PIL import ImageFont

    return ImageFont.load_default_imagefont()


def _tile(img):
    """The picture shrunk to a tile first (JPEG decodes at 1/2..1/8 scale), then put on a checkerboard:
    the compositing works on a tile's pixels, not on the full-size picture's.

    An alpha channel that is opaque everywhere is dropped first (resizing RGBA premultiplies it), and the
    shrinking is a box reduce to under twice the tile, then bilinear (reducing_gap 1): 1.0-1.1 ms for a
    512 px picture where a bicubic pass over the full picture (reducing_gap 2) took 2.5-4 ms."""
    from PIL import Image

    side = _TILE - 8
    img.draft("RGB" if img.mode == "RGB" else None, (side, side))
    if img.mode == "RGBA" and img.getextrema()[3][0] == 255:
        img = img.convert("RGB")
    img.thumbnail((side, side), Image.Resampling.BILINEAR, reducing_gap=1.0)
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
