"""Frame files: names by episode and time, never over an existing file, adopted when a cut-off run left them."""

from __future__ import annotations

from loraprep.acquire.video.write import frame_name, origin_of, publish


def test_names_sort_by_time_and_are_safe_everywhere():
    assert frame_name("Show: Ep|01?.mkv", 3723.5) == "Show_ Ep_01__01h02m03s500.png"
    assert frame_name("ep.mkv", 0.0) < frame_name("ep.mkv", 9.999) < frame_name("ep.mkv", 10.0)
    assert origin_of("ep 01.mkv", 1.25) == "video:ep 01.mkv@1.250"


def test_an_existing_file_is_never_replaced(tmp_path):
    (tmp_path / "a.png").write_bytes(b"the user's own")
    path, adopted = publish(tmp_path, "a.png", b"frame bytes")
    assert path.name == "a-2.png" and not adopted
    assert (tmp_path / "a.png").read_bytes() == b"the user's own"
    again, adopted = publish(tmp_path, "a.png", b"frame bytes")
    assert again == path and adopted
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a-2.png", "a.png"]


def test_png_bytes_decode_to_the_same_pixels():
    import io

    import numpy as np
    from PIL import Image

    from loraprep.acquire.video.write import png_bytes

    rng = np.random.default_rng(3)
    for size in ((1, 1), (7, 3), (64, 33)):
        pixels = rng.integers(0, 256, (size[1], size[0], 3), dtype=np.uint8)
        with Image.open(io.BytesIO(png_bytes(Image.fromarray(pixels)))) as img:
            img.load()
            assert img.format == "PNG" and img.mode == "RGB" and np.array_equal(np.asarray(img), pixels)


def test_png_from_an_array_and_from_a_cropped_view_of_one_is_lossless():
    import io

    import numpy as np
    from PIL import Image

    from loraprep.acquire.video.write import png_bytes

    rng = np.random.default_rng(11)
    for size, box in (((9, 5), (1, 1, 8, 4)), ((40, 31), (3, 0, 40, 28)), ((2, 2), (0, 0, 2, 2))):
        pixels = rng.integers(0, 256, (size[1], size[0], 3), dtype=np.uint8)
        left, top, right, bottom = box
        view = pixels[top:bottom, left:right]
        for picture in (pixels, view):
            data = png_bytes(picture)
            assert data == png_bytes(Image.fromarray(np.ascontiguousarray(picture)))
            with Image.open(io.BytesIO(data)) as img:
                img.load()
                assert img.size == (picture.shape[1], picture.shape[0]) and np.array_equal(np.asarray(img), picture)


def _fake_isal(calls: list):
    import types
    import zlib

    module = types.ModuleType("isal.isal_zlib")

    def compress(data, level=2, wbits=15):
        calls.append(level)
        return zlib.compress(bytes(data), 9)

    module.compress = compress
    package = types.ModuleType("isal")
    package.isal_zlib = module
    return package, module


def test_pngs_deflated_by_isal_when_installed_else_by_zlib(monkeypatch):
    import io
    import sys

    import numpy as np
    from PIL import Image

    from loraprep.acquire.video import write

    pixels = np.random.default_rng(8).integers(0, 256, (37, 53, 3), dtype=np.uint8)
    calls: list = []
    package, module = _fake_isal(calls)
    for installed in (True, False):
        write.deflater.cache_clear()
        if installed:
            monkeypatch.setitem(sys.modules, "isal", package)
            monkeypatch.setitem(sys.modules, "isal.isal_zlib", module)
        else:
            monkeypatch.setitem(sys.modules, "isal", None)             # import isal raises ImportError
            monkeypatch.delitem(sys.modules, "isal.isal_zlib", raising=False)
        data = write.png_bytes(pixels)
        with Image.open(io.BytesIO(data)) as img:
            assert np.array_equal(np.asarray(img.convert("RGB")), pixels)
        assert calls == [write.ISAL_LEVEL]                # isal's once (the first pass); zlib's for the second
    write.deflater.cache_clear()
