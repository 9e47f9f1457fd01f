"""The contact sheet is a PNG showing the keeper and every member, and survives an unreadable file."""

from __future__ import annotations

import io

from PIL import Image

from loraprep.dedup import DupGroup, DupMember
from loraprep.dedup.contact_sheet import contact_sheet


def test_contact_sheet_png():
    group = DupGroup("g1", "a", (DupMember("b", 1.5, "near: mirrored", True, "duplicate of a (near: mirrored, distance 1.5)"),
                                 DupMember("c", 0.0, "exact bytes", True, "duplicate of a (exact bytes, distance 0)")))
    images = {"a": Image.new("RGB", (300, 200), "red"), "b": Image.new("RGBA", (100, 100), (0, 0, 255, 0))}

    def open_image(image_id):
        return images[image_id]

    data = contact_sheet(group, open_image, columns=2)
    sheet = Image.open(io.BytesIO(data))
    assert sheet.format == "PNG" and sheet.size[0] == 2 * 192 and sheet.size[1] > 2 * 192


def test_cutout_tile_shows_a_checkerboard_and_big_pictures_are_shrunk():
    group = DupGroup("g1", "a", (DupMember("b", 0.0, "near: alpha cut-out", True, "duplicate of a"),))
    images = {"a": Image.new("RGB", (3000, 1000), (200, 0, 0)), "b": Image.new("RGBA", (400, 400), (0, 0, 255, 0))}
    sheet = Image.open(io.BytesIO(contact_sheet(group, images.__getitem__, columns=2))).convert("RGB")
    # the keeper tile is the whole 3:1 picture shrunk into the tile, centred: red across, grey above and below
    assert sheet.getpixel((96, 96)) == (200, 0, 0) and sheet.getpixel((8, 96)) == (200, 0, 0)
    assert sheet.getpixel((96, 40)) == (245, 245, 245)
    # the transparent tile alternates light and dark 8-pixel cells
    tile = [sheet.getpixel((192 + 10 + dx, 10 + 4)) for dx in (0, 8, 16, 24)]
    assert len(set(tile)) == 2 and tile[0] == tile[2] and tile[1] == tile[3]


def test_sheet_signature_follows_what_the_sheet_shows():
    from loraprep.dedup.contact_sheet import sheet_signature
    from loraprep.dedup.find import DupGroup, DupMember

    def group(distance):
        return DupGroup("g1", 1, (DupMember(2, distance, "exact pixels", True, ""),))

    same = sheet_signature(group(0.0), lambda i: f"hash{i}")
    assert sheet_signature(group(0.0), lambda i: f"hash{i}") == same
    assert sheet_signature(group(0.0), lambda i: "other" if i == 2 else f"hash{i}") != same   # a file's new bytes
    assert sheet_signature(group(1.5), lambda i: f"hash{i}") != same                          # another caption


def test_sheet_stores_its_signature(tmp_path):
    from PIL import Image

    from loraprep.dedup.contact_sheet import contact_sheet, stored_signature
    from loraprep.dedup.find import DupGroup, DupMember

    g = DupGroup("g1", 1, (DupMember(2, 0.0, "exact pixels", True, ""),))
    path = tmp_path / "g1.png"
    path.write_bytes(contact_sheet(g, lambda i: Image.new("RGB", (50, 40), (200, 10, 10)), signature="abc"))
    assert stored_signature(path) == "abc"
    assert stored_signature(tmp_path / "missing.png") is None


def test_sheet_png_round_trips_pixels_and_text():
    import numpy as np

    from loraprep.dedup.contact_sheet import _png

    img = Image.fromarray(np.random.default_rng(1).integers(0, 256, (37, 53, 3), dtype=np.uint8), "RGB")
    back = Image.open(io.BytesIO(_png(img, {"loraprep-sheet": "abc123"})))
    assert back.format == "PNG" and back.info["loraprep-sheet"] == "abc123"
    assert np.array_equal(np.asarray(back), np.asarray(img))


def test_an_opaque_alpha_channel_is_no_cutout():
    group = DupGroup("g1", "a", ())
    sheet = Image.open(io.BytesIO(contact_sheet(group, lambda i: Image.new("RGBA", (400, 400), (0, 0, 255, 255)),
                                                columns=1))).convert("RGB")
    assert {sheet.getpixel((10 + dx, 14)) for dx in (0, 8, 16)} == {(0, 0, 255)}      # plain blue, no checkerboard


def test_pictures_open_through_libspng_or_lazily_through_pillow(tmp_path):
    import numpy as np

    from loraprep.dedup.contact_sheet import open_picture

    img = Image.fromarray(np.random.default_rng(2).integers(0, 256, (40, 60, 3), dtype=np.uint8), "RGB")
    img.save(tmp_path / "a.png")
    img.save(tmp_path / "a.jpg", quality=90)
    assert np.array_equal(np.asarray(open_picture(tmp_path / "a.png")), np.asarray(img))
    jpeg = open_picture(tmp_path / "a.jpg")
    assert jpeg.format == "JPEG" and jpeg.size == (60, 40)          # not decoded yet: draft() can still shrink it


def test_an_error_naming_a_non_latin_file_still_gives_a_sheet():
    group = DupGroup("g1", "a", (DupMember("b", 0.0, "exact bytes", True, ""),))

    def open_image(image_id):
        if image_id == "b":
            raise OSError("cannot read 画像_01.png")
        return Image.new("RGB", (64, 64), "red")

    sheet = Image.open(io.BytesIO(contact_sheet(group, open_image, columns=2))).convert("RGB")
    assert sheet.getpixel((96, 96)) == (255, 0, 0)
    assert any(sheet.getpixel((192 + x, 96 + y)) == (160, 0, 0) for x in range(6, 120) for y in range(0, 11))
