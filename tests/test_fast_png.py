"""libspng decoding gives Pillow's pixels, and hands every file it cannot match exactly back to Pillow."""

from __future__ import annotations

import io
import struct
import zlib

import numpy as np
import pytest
from PIL import Image

from loraprep import fast_png
from loraprep.dedup.encode import describe_bytes
from loraprep.fast_png import decode_png
from loraprep.imaging import exif_orientation
from loraprep.ingest.decode import probe_bytes

pytest.importorskip("pyspng")


def _png(img: Image.Image, **params) -> bytes:
    out = io.BytesIO()
    img.save(out, "PNG", **params)
    return out.getvalue()


def _picture(mode: str, size=(67, 41), seed=0) -> Image.Image:
    rng = np.random.default_rng(seed)
    bands = len(Image.new(mode, (1, 1)).getbands())
    shape = (size[1], size[0]) if bands == 1 else (size[1], size[0], bands)
    return Image.fromarray(rng.integers(0, 256, shape, dtype=np.uint8), mode)


def _chunk(kind: bytes, payload: bytes) -> bytes:
    return struct.pack(">I", len(payload)) + kind + payload + struct.pack(">I", zlib.crc32(kind + payload))


def _before_iend(data: bytes, chunk: bytes) -> bytes:
    at = data.rindex(b"IEND") - 4
    return data[:at] + chunk + data[at:]


def _pillow_normalised(data: bytes) -> Image.Image:
    with Image.open(io.BytesIO(data)) as img:
        img.load()
        return img.convert("RGBA" if "A" in img.mode else "RGB")


@pytest.mark.parametrize("mode", ["L", "LA", "RGB", "RGBA"])
@pytest.mark.parametrize("interlace", [False, True])
def test_pixels_equal_pillows(mode, interlace):
    data = _png(_picture(mode), optimize=False) if not interlace else _interlaced(_picture(mode))
    fast = decode_png(data).image
    expected = _pillow_normalised(data)
    assert fast.mode == expected.mode and fast.size == expected.size
    assert np.array_equal(np.asarray(fast), np.asarray(expected))


def _interlaced(img: Image.Image) -> bytes:
    """Pillow cannot write Adam7; rebuild the file's IDAT from Pillow's own rows in interlaced order."""
    arr = np.asarray(img)
    h, w = arr.shape[:2]
    channels = 1 if arr.ndim == 2 else arr.shape[2]
    passes = [(0, 0, 8, 8), (4, 0, 8, 8), (0, 4, 4, 8), (2, 0, 4, 4), (0, 2, 2, 4), (1, 0, 2, 2), (0, 1, 1, 2)]
    raw = b""
    for x0, y0, dx, dy in passes:
        sub = arr[y0::dy, x0::dx]
        if sub.size == 0:
            continue
        raw += b"".join(b"\0" + row.tobytes() for row in sub.reshape(sub.shape[0], -1))
    colour = {1: 0, 2: 4, 3: 2, 4: 6}[channels]
    header = struct.pack(">IIBBBBB", w, h, 8, colour, 0, 0, 1)
    return b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", header) + _chunk(b"IDAT", zlib.compress(raw)) + _chunk(b"IEND", b"")


@pytest.mark.parametrize("alpha_low", [255, 254])
def test_an_alpha_channel_opaque_everywhere_is_dropped(alpha_low):
    picture = _picture("RGB")
    alpha = np.full((41, 67), 255, np.uint8)
    alpha[20, 30] = alpha_low
    picture.putalpha(Image.fromarray(alpha))
    fast = decode_png(_png(picture)).image
    assert fast.mode == ("RGB" if alpha_low == 255 else "RGBA")
    assert np.array_equal(np.asarray(fast), np.asarray(picture.convert(fast.mode)))


@pytest.mark.parametrize("case", ["palette", "16-bit", "transparent colour", "animated", "truncated",
                                  "no IEND", "text after pixels", "exif after pixels", "not a PNG", "empty"])
def test_files_it_cannot_match_go_to_pillow(case):
    rgb = _png(_picture("RGB"))
    data = {
        "palette": lambda: _png(_picture("RGB").convert("P")),
        "16-bit": lambda: _png(Image.fromarray((np.arange(64 * 8, dtype=np.uint16).reshape(8, 64) * 97).astype("<u2"))),
        "transparent colour": lambda: _png(_picture("RGB"), transparency=(0, 0, 0)),
        "animated": lambda: _animated(),
        "truncated": lambda: rgb[: len(rgb) // 2],
        "no IEND": lambda: rgb[: rgb.rindex(b"IEND") - 4],
        "text after pixels": lambda: _before_iend(rgb, _chunk(b"tEXt", b"Comment\0late")),
        "exif after pixels": lambda: _before_iend(rgb, _chunk(b"eXIf", _exif_bytes(6))),
        "not a PNG": lambda: b"GIF89a" + rgb[6:],
        "empty": lambda: b"",
    }[case]()
    assert decode_png(data) is None


def _animated() -> bytes:
    out = io.BytesIO()
    frames = [_picture("RGB", seed=s) for s in range(2)]
    frames[0].save(out, "PNG", save_all=True, append_images=frames[1:])
    return out.getvalue()


def _exif_bytes(orientation: int) -> bytes:
    exif = Image.Exif()
    exif[0x0112] = orientation
    return exif.tobytes()


def test_damaged_pixel_data_fails_as_in_pillow():
    data = bytearray(_png(_picture("RGB", size=(300, 200))))
    at = data.index(b"IDAT") + 40
    data[at: at + 64] = bytes(64)            # libspng alone decodes this to wrong pixels without a word
    assert decode_png(bytes(data)) is None
    with pytest.raises(Exception, match="(?i)decode failed"):
        probe_bytes(bytes(data))
    with pytest.raises(Exception, match="(?i)decode failed"):
        describe_bytes(bytes(data))


def test_a_bad_crc_alone_is_pillows_call():
    data = bytearray(_png(_picture("RGB")))
    at = data.index(b"IDAT")
    data[at + 4 + int.from_bytes(data[at - 4: at], "big")] ^= 1     # the CRC, not the pixels
    assert decode_png(bytes(data)) is None
    assert probe_bytes(bytes(data)).width == 67                        # Pillow does not check IDAT CRCs


def test_without_pyspng_every_png_goes_to_pillow(monkeypatch):
    monkeypatch.setattr(fast_png, "_pyspng", lambda: None)
    assert decode_png(_png(_picture("RGB"))) is None


def test_metadata_before_the_pixels_is_reported():
    from PIL import PngImagePlugin

    assert decode_png(_png(_picture("RGB"))).metadata is False
    text = PngImagePlugin.PngInfo()
    text.add_text("parameters", "1girl, solo, Steps: 20")      # what Stable Diffusion front ends write
    assert decode_png(_png(_picture("RGB"), pnginfo=text)).metadata is True
    assert decode_png(_png(_picture("RGB"), exif=_exif_bytes(6))).metadata is True


def test_over_the_pixel_limit_goes_to_pillow(monkeypatch):
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", 67 * 41 - 1)
    assert decode_png(_png(_picture("RGB"))) is None
    with pytest.raises(Exception, match="(?i)decompression bomb"):
        describe_bytes(_png(_picture("RGB")))


def test_orientation_read_without_loading_when_exif_precedes_pixels():
    data = _png(_picture("RGB"), exif=_exif_bytes(6))
    assert decode_png(data) is not None
    with Image.open(io.BytesIO(data)) as img:
        assert exif_orientation(img, without_loading=True) == 6
        assert img.tile                      # still not decoded by Pillow (load() empties the tile list)


@pytest.mark.parametrize("mode", ["L", "LA", "RGB", "RGBA", "opaque RGBA", "RGBA nearly opaque"])
@pytest.mark.parametrize("orientation", [None, 6, "xmp"])
def test_dedup_descriptor_is_the_same_either_way(monkeypatch, mode, orientation):
    picture = _picture("RGB" if "RGBA" in mode else mode, size=(400, 260), seed=3)
    if "A" in mode:                          # a cut-out: transparent corners, opaque middle
        alpha = np.zeros((260, 400), np.uint8) if mode in ("LA", "RGBA") else np.full((260, 400), 255, np.uint8)
        alpha[40:220, 60:340] = 255
        if mode == "RGBA nearly opaque":
            alpha[::7, ::5] = 254                # reduced, it reads as opaque; full size it is not
        picture.putalpha(Image.fromarray(alpha))
    if orientation == "xmp":                 # Pillow also reads an orientation from XMP in an iTXt chunk
        from PIL import PngImagePlugin

        info = PngImagePlugin.PngInfo()
        info.add_itxt("XML:com.adobe.xmp", '<x:xmpmeta><rdf:Description tiff:Orientation="6"/></x:xmpmeta>')
        data = _png(picture, pnginfo=info)
    else:
        data = _png(picture, **({"exif": _exif_bytes(orientation)} if orientation else {}))
    assert decode_png(data) is not None
    fast = describe_bytes(data)
    upright = (400, 260) if orientation is None else (260, 400)
    scanned = probe_bytes(data)                                  # scan reads with Pillow: the same size and turn
    assert (fast.width, fast.height) == (scanned.width, scanned.height) == upright
    monkeypatch.setattr(fast_png, "_pyspng", lambda: None)
    assert describe_bytes(data).to_bytes() == fast.to_bytes()
