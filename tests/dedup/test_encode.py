"""Descriptors: decode once, EXIF orientation, alpha, exact pixel keys, byte round trip, corrupt files."""

from __future__ import annotations

import io

import numpy as np
import pytest
from PIL import Image

from loraprep.dedup import Descriptor, describe_bytes, describe_file, describe_image
from loraprep.errors import ImageError
from tests.dedup.scenes import family, png


@pytest.fixture(scope="module")
def scene():
    base, mask, *_ = family(3)
    return base, mask


def _save(img, fmt, **kw) -> bytes:
    buf = io.BytesIO()
    img.save(buf, fmt, **kw)
    return buf.getvalue()


def test_round_trip_keeps_everything(scene):
    base, mask = scene
    cut = base.copy()
    cut.putalpha(mask)
    for img in (base, cut):
        d = describe_bytes(png(img))
        back = Descriptor.from_bytes(d.to_bytes())
        assert back.to_bytes() == d.to_bytes()
        assert (back.width, back.height, back.pixel_key, back.flat) == (d.width, d.height, d.pixel_key, d.flat)
        assert np.array_equal(back.luma, d.luma) and np.array_equal(back.codes, d.codes)
        assert (back.alpha is None) == (img.mode == "RGB")


def test_unknown_version_and_truncation_are_image_errors(scene):
    blob = describe_bytes(png(scene[0])).to_bytes()
    with pytest.raises(ImageError, match="version"):
        Descriptor.from_bytes(b"\x63" + blob[1:])
    with pytest.raises(ImageError, match="truncated"):
        Descriptor.from_bytes(blob[:100])


def test_png_and_lossless_webp_have_the_same_pixel_key(scene):
    base = scene[0]
    assert describe_bytes(png(base)).pixel_key == describe_bytes(_save(base, "WEBP", lossless=True)).pixel_key
    opaque = base.convert("RGBA")                      # an alpha channel that is all 255 is no alpha
    assert describe_bytes(png(opaque)).pixel_key == describe_bytes(png(base)).pixel_key
    assert describe_bytes(png(opaque)).alpha is None
    assert describe_bytes(_save(base, "JPEG", quality=95)).pixel_key != describe_bytes(png(base)).pixel_key


def test_jpeg_metadata_does_not_change_the_pixel_key(scene):
    plain = _save(scene[0], "JPEG", quality=90)
    tagged = _save(scene[0], "JPEG", quality=90, comment=b"downloaded from somewhere", exif=Image.Exif().tobytes())
    assert plain != tagged
    assert describe_bytes(plain).pixel_key == describe_bytes(tagged).pixel_key


def test_exif_orientation_is_applied(scene):
    base = scene[0].crop((0, 0, 320, 200))
    exif = Image.Exif()
    exif[0x0112] = 6                                   # stored sideways, shown rotated 90 degrees clockwise
    stored = base.transpose(Image.Transpose.ROTATE_90)
    d = describe_bytes(_save(stored, "JPEG", quality=95, exif=exif.tobytes()))
    upright = describe_image(base)
    assert (d.width, d.height) == (320, 200)
    assert np.abs(d.luma.astype(int) - upright.luma.astype(int)).mean() < 4


def test_cutout_keeps_its_mask_and_is_composited_on_white(scene):
    base, mask = scene
    cut = Image.composite(base, Image.new("RGB", base.size), mask)
    cut.putalpha(mask)
    d = describe_bytes(png(cut))
    assert d.alpha is not None
    corner = d.luma[:3, :3] if np.asarray(mask)[:20, :20].max() == 0 else None
    if corner is not None:
        assert corner.min() >= 250


@pytest.mark.parametrize("data, reason", [
    (b"", "empty file"),
    (b"not an image at all", "not an image"),
])
def test_corrupt_bytes_are_image_errors(data, reason):
    with pytest.raises(ImageError, match=reason):
        describe_bytes(data)


def test_truncated_file_is_an_image_error(tmp_path, scene):
    path = tmp_path / "cut.png"
    path.write_bytes(png(scene[0])[:2000])
    with pytest.raises(ImageError) as info:
        describe_file(path)
    assert "\n" not in info.value.message
    with pytest.raises(ImageError, match="unreadable"):
        describe_file(tmp_path / "missing.png")


def test_near_blank_is_flat():
    assert describe_image(Image.new("RGB", (64, 64), (250, 250, 250))).flat
