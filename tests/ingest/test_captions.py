"""Sidecar caption parsing: BOM, UTF-16, CRLF, legacy encodings, trimming, duplicates, order."""

from __future__ import annotations

import pytest

from loraprep.errors import SourceFileError
from loraprep.ingest.captions import parse_caption_bytes, split_tags


def test_split_keeps_order_and_drops_empties_and_duplicates():
    assert split_tags(" red_hair, solo ,, Solo, smile,\r\n") == ["red hair", "solo", "smile"]


def test_bom_is_not_part_of_the_first_tag():
    caption = parse_caption_bytes("\ufeffmychar, blue eyes".encode("utf-8"))
    assert caption.tags == ["mychar", "blue eyes"] and caption.encoding == "utf-8-sig"


def test_crlf_lines_are_separators():
    assert parse_caption_bytes(b"a, b\r\nc").tags == ["a", "b", "c"]


@pytest.mark.parametrize("codec", ["utf-16", "utf-16-le", "utf-16-be"])
def test_utf16_captions_give_the_tags_not_spaced_letters(codec):
    caption = parse_caption_bytes("cat_ears, Smile\r\nblue eyes\r\n".encode(codec))
    assert caption.tags == ["cat ears", "smile", "blue eyes"]


@pytest.mark.parametrize("text, codec", [("café, naïve", "latin-1"), ("猫耳, 笑顔", "shift_jis")])
def test_legacy_encoding_is_an_error_unless_the_recipe_names_it(text, codec):
    with pytest.raises(SourceFileError, match="not valid UTF-8"):
        parse_caption_bytes(text.encode(codec))
    caption = parse_caption_bytes(text.encode(codec), "cp1252" if codec == "latin-1" else codec)
    assert caption.tags == [t.strip() for t in text.split(",")]


def test_kaomoji_keep_underscores():
    assert split_tags("^_^, smile_face") == ["^_^", "smile face"]
