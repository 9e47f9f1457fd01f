"""Sidecar caption parsing: BOM, CRLF, Latin-1, trimming, duplicates, order."""

from __future__ import annotations

from loraprep.ingest.captions import parse_caption_bytes, split_tags


def test_split_keeps_order_and_drops_empties_and_duplicates():
    assert split_tags(" red_hair, solo ,, Solo, smile,\r\n") == ["red hair", "solo", "smile"]


def test_bom_is_not_part_of_the_first_tag():
    caption = parse_caption_bytes("\ufeffmychar, blue eyes".encode("utf-8"))
    assert caption.tags == ["mychar", "blue eyes"] and caption.encoding == "utf-8-sig" and caption.warning is None


def test_crlf_lines_are_separators():
    assert parse_caption_bytes(b"a, b\r\nc").tags == ["a", "b", "c"]


def test_latin1_fallback_warns():
    caption = parse_caption_bytes("café, naïve".encode("latin-1"))
    assert caption.tags == ["café", "naïve"] and caption.warning and caption.encoding == "latin-1"


def test_kaomoji_keep_underscores():
    assert split_tags("^_^, smile_face") == ["^_^", "smile face"]
