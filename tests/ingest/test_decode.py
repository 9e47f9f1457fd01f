"""The bad-input corpus: every odd or broken file gets its recorded reason, good odd modes decode."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from loraprep.errors import ImageError
from loraprep.ingest.decode import probe_bytes
from tests.conftest import make_image


def _bytes(tmp_path, name="x.png", **kw) -> bytes:
    return make_image(tmp_path / name, **kw).read_bytes()


def test_modes_and_formats(tmp_path):
    assert probe_bytes(_bytes(tmp_path, "a.jpg", mode="CMYK", fmt="JPEG")).mode == "CMYK"
    rgba = probe_bytes(_bytes(tmp_path, "b.png", mode="RGBA"))
    assert rgba.has_alpha and rgba.format == "PNG"
    assert probe_bytes(_bytes(tmp_path, "c.png", mode="LA")).has_alpha
    assert probe_bytes(_bytes(tmp_path, "d.bmp", fmt="BMP")).format == "BMP"
    assert probe_bytes(_bytes(tmp_path, "e.tif", fmt="TIFF")).format == "TIFF"
    i16 = Image.new("I;16", (40, 30))
    buf = io.BytesIO()
    i16.save(buf, "PNG")
    assert probe_bytes(buf.getvalue()).width == 40


def test_palette_with_transparency(tmp_path):
    img = Image.new("P", (20, 20), 0)
    img.putpalette([255, 0, 0, 0, 255, 0] + [0] * 762)
    buf = io.BytesIO()
    img.save(buf, "PNG", transparency=0)
    info = probe_bytes(buf.getvalue())
    assert info.mode == "P" and info.has_alpha


def test_animated_gif_is_flagged(tmp_path):
    frames = [Image.new("RGB", (32, 32), c) for c in ("red", "blue", "green")]
    buf = io.BytesIO()
    frames[0].save(buf, "GIF", save_all=True, append_images=frames[1:])
    info = probe_bytes(buf.getvalue())
    assert info.animated and info.frames == 3


def test_exif_rotation_swaps_size(tmp_path):
    img = Image.new("RGB", (300, 100), "red")
    exif = Image.Exif()
    exif[0x0112] = 6
    buf = io.BytesIO()
    img.save(buf, "JPEG", exif=exif.tobytes())
    info = probe_bytes(buf.getvalue())
    assert (info.width, info.height) == (100, 300) and info.exif_rotated


@pytest.mark.parametrize("data, reason", [
    (b"", "empty file"),
    (b"this is text, not a picture", "not an image"),
])
def test_garbage(data, reason):
    with pytest.raises(ImageError, match=reason):
        probe_bytes(data)


def test_truncated_jpeg(tmp_path):
    data = _bytes(tmp_path, "t.jpg", fmt="JPEG")
    with pytest.raises(ImageError, match="truncated"):
        probe_bytes(data[: len(data) // 2])


def test_truncated_png(tmp_path):
    data = _bytes(tmp_path, "t.png")
    with pytest.raises(ImageError):
        probe_bytes(data[: len(data) // 3])


def test_decompression_bomb(tmp_path, monkeypatch):
    monkeypatch.setenv("LORAPREP_MAX_PIXELS", "10000")
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", Image.MAX_IMAGE_PIXELS)  # decoding sets Pillow's global: restore it
    with pytest.raises(ImageError, match="decompression bomb"):
        probe_bytes(_bytes(tmp_path, "big.png", size=(200, 200)))
