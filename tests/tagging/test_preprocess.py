"""The WD input contract: alpha onto white, white square pad, model size, BGR float32 0..255."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image

from loraprep.tagging.preprocess import load_tensor, pad_resize, prepare, to_rgb_on_white


def test_output_is_bgr_float32_0_255_at_model_size(tmp_path):
    path = tmp_path / "red.png"
    Image.new("RGB", (50, 50), (255, 0, 0)).save(path)
    x = load_tensor(path, 16)
    assert x.shape == (16, 16, 3) and x.dtype == np.float32
    assert x[8, 8].tolist() == [0.0, 0.0, 255.0]  # B, G, R


def test_transparency_goes_onto_white(tmp_path):
    img = Image.new("RGBA", (40, 40), (0, 0, 0, 0))
    img.paste((0, 0, 255, 255), (10, 10, 30, 30))
    x = prepare(img, 40)
    assert x[0, 0].tolist() == [255.0, 255.0, 255.0]
    assert x[20, 20].tolist() == [255.0, 0.0, 0.0]


def test_palette_with_transparency_and_la_go_onto_white():
    p = Image.new("P", (8, 8), 0)
    p.putpalette([0, 0, 0, 255, 0, 0] + [0] * 762)
    p.info["transparency"] = 0
    assert to_rgb_on_white(p).getpixel((0, 0)) == (255, 255, 255)
    la = Image.new("LA", (8, 8), (0, 0))
    assert to_rgb_on_white(la).getpixel((0, 0)) == (255, 255, 255)


def test_sixteen_bit_grey_is_scaled_not_clipped():
    img = Image.fromarray(np.full((8, 8), 32768, np.uint16))
    assert img.mode.startswith("I;16")
    assert to_rgb_on_white(img).getpixel((0, 0)) == (127, 127, 127)


def test_wide_image_is_centred_on_a_white_square():
    img = Image.new("RGB", (100, 50), (0, 0, 0))
    out = pad_resize(img, 20)
    arr = np.asarray(out)
    assert out.size == (20, 20)
    assert arr[0, 10].tolist() == [255, 255, 255] and arr[19, 10].tolist() == [255, 255, 255]
    assert arr[10, 10].tolist() == [0, 0, 0]


def test_scaling_first_matches_padding_first():
    rng = np.random.default_rng(0)
    img = Image.fromarray(rng.integers(0, 255, (300, 500, 3), dtype=np.uint8)).resize((500, 300))
    ours = np.asarray(pad_resize(img, 64), np.float32)
    square = Image.new("RGB", (500, 500), (255, 255, 255))
    square.paste(img, (0, 100))
    reference = np.asarray(square.resize((64, 64), Image.BICUBIC), np.float32)
    assert np.abs(ours - reference)[4:-4].mean() < 12  # same picture; only resampling noise differs


@pytest.mark.parametrize("size", [(1024, 640), (640, 1024), (900, 900)])
def test_jpeg_draft_keeps_enough_pixels(tmp_path, size):
    path = tmp_path / "big.jpg"
    Image.new("RGB", size, (10, 200, 30)).save(path, quality=90)
    x = load_tensor(path, 448)
    assert x.shape == (448, 448, 3)
    assert np.abs(x[224, 224] - [30, 200, 10]).max() < 6


def test_exif_orientation_is_applied(tmp_path):
    img = Image.new("RGB", (60, 30), (255, 255, 255))
    img.paste((255, 0, 0), (0, 0, 30, 30))  # red on the left
    exif = Image.Exif()
    exif[0x0112] = 6  # rotate 90 clockwise on display: red ends on top
    path = tmp_path / "rot.jpg"
    img.save(path, exif=exif, quality=95)
    x = load_tensor(path, 60)
    assert x[15, 30, 2] > 200 and x[15, 30, 0] < 60  # top middle is red (BGR)
    assert x[45, 30].min() > 200  # bottom middle is white


def test_corrupt_file_raises(tmp_path):
    path = tmp_path / "bad.jpg"
    Image.new("RGB", (200, 200), (1, 2, 3)).save(path)
    path.write_bytes(path.read_bytes()[:300])
    with pytest.raises(OSError):
        load_tensor(path, 64)
