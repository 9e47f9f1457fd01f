"""The link/copy/convert decision and the conversions themselves."""

from __future__ import annotations

import errno
import os

import pytest
from PIL import Image

from loraprep.export import convert
from tests.conftest import make_image


@pytest.mark.parametrize("args, extension, steps", [
    (("JPEG", "RGB", False), ".jpg", ()),
    (("PNG", "L", False), ".png", ()),
    (("PNG", "P", False), ".png", ()),
    (("WEBP", "RGB", False), ".png", ("webp->png",)),
    (("AVIF", "RGB", False), ".png", ("avif->png",)),
    (("GIF", "P", False), ".png", ("gif->png",)),
    (("PNG", "RGBA", True), ".png", ("alpha->white",)),
    (("JPEG", "CMYK", False), ".jpg", ("cmyk->rgb",)),
    (("PNG", "I;16", False), ".png", ("i;16->rgb",)),
    (("JPEG", "RGB", False, True), ".jpg", ("exif-orientation",)),
    (("WEBP", "RGBA", True, False, True), ".png", ("webp->png", "first-frame", "alpha->white")),
])
def test_decide(args, extension, steps):
    decision = convert.decide(*args)
    assert decision.extension == extension and decision.steps == steps
    assert decision.needed == bool(steps)


def test_decide_keeps_jpeg_suffix_spelling():
    assert convert.decide("JPEG", "RGB", False, source_suffix=".JPEG").extension == ".jpeg"


def test_alpha_is_composited_onto_white(tmp_path):
    src = tmp_path / "a.png"
    Image.new("RGBA", (8, 8), (255, 0, 0, 0)).save(src)
    dest = tmp_path / "out.png"
    convert.convert_file(src, dest, convert.decide("PNG", "RGBA", True))
    with Image.open(dest) as im:
        assert im.mode == "RGB" and im.getpixel((0, 0)) == (255, 255, 255)


def test_exif_orientation_is_applied_even_when_not_flagged(tmp_path):
    src = tmp_path / "rot.webp"
    exif = Image.Exif()
    exif[0x0112] = 6  # rotate 90 degrees clockwise to display
    Image.new("RGB", (40, 20), (10, 20, 30)).save(src, "WEBP", exif=exif.tobytes())
    dest = tmp_path / "rot.png"
    steps = convert.convert_file(src, dest, convert.decide("WEBP", "RGB", False))
    assert "exif-orientation" in steps
    with Image.open(dest) as im:
        assert im.size == (20, 40)


def test_cmyk_jpeg_becomes_rgb_jpeg(tmp_path):
    src = make_image(tmp_path / "c.jpg", (32, 32), mode="CMYK", quality=95)
    dest = tmp_path / "c-out.jpg"
    convert.convert_file(src, dest, convert.decide("JPEG", "CMYK", False))
    with Image.open(dest) as im:
        assert im.format == "JPEG" and im.mode == "RGB"


def test_sixteen_bit_png_is_scaled_not_clipped(tmp_path):
    import numpy as np

    src = tmp_path / "deep.png"
    Image.fromarray(np.full((4, 4), 40000, dtype=np.uint16)).save(src)
    dest = tmp_path / "deep-out.png"
    convert.convert_file(src, dest, convert.decide("PNG", "I;16", False))
    with Image.open(dest) as im:
        assert im.mode == "L" and im.getpixel((0, 0)) == 40000 // 256


def test_animated_gif_keeps_the_first_frame(tmp_path):
    src = tmp_path / "anim.gif"
    frames = [Image.new("RGB", (8, 8), c) for c in ((255, 0, 0), (0, 0, 255))]
    frames[0].save(src, save_all=True, append_images=frames[1:])
    dest = tmp_path / "anim.png"
    convert.convert_file(src, dest, convert.decide("GIF", "P", False, animated=True))
    with Image.open(dest) as im:
        r, g, b = im.convert("RGB").getpixel((0, 0))
        assert r > 200 and b < 50


def test_sniff_reads_what_the_store_did_not_record(tmp_path):
    src = make_image(tmp_path / "x.png", (16, 16), mode="RGBA")
    assert convert.sniff(src)[:3] == ("PNG", "RGBA", True)


def test_link_falls_back_to_copy_across_devices(tmp_path, monkeypatch):
    src = tmp_path / "s.bin"
    src.write_bytes(b"data")

    def refuse(a, b):
        raise OSError(errno.EXDEV, "cross-device link")

    monkeypatch.setattr(os, "link", refuse)
    assert convert.place_file(src, tmp_path / "d.bin", "link") in ("copy", "reflink")
    assert (tmp_path / "d.bin").read_bytes() == b"data"


def test_link_makes_a_hard_link(tmp_path):
    src = tmp_path / "s.bin"
    src.write_bytes(b"data")
    assert convert.place_file(src, tmp_path / "d.bin", "link") == "link"
    assert (tmp_path / "d.bin").stat().st_ino == src.stat().st_ino
