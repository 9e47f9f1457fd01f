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
