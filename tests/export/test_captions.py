"""Caption cleaning and the empty-caption decision."""

from __future__ import annotations

import pytest

from loraprep.export.captions import caption_bytes, check_caption_file, clean_caption


@pytest.mark.parametrize("raw, clean", [
    ("\ufeffmychar, smile", "mychar, smile"),
    ("mychar, smile\n", "mychar, smile"),
    ("mychar,\r\nsmile", "mychar, smile"),
    ("line one\n\nline two", "line one, line two"),
    ("a\u200b, b\tc  d", "a, b c d"),
    ("  ,a, b,  ", "a, b"),
    ("cafe\u0301", "café"),
    ("\x00a\x07b", "a b"),
])
def test_clean_caption(raw, clean):
    assert clean_caption(raw) == clean


def test_caption_bytes_have_no_bom_and_no_terminator():
    data = caption_bytes("mychar, café")
    assert not data.startswith(b"\xef\xbb\xbf") and not data.endswith(b"\n")
    assert check_caption_file(data) == []


@pytest.mark.parametrize("data, problem", [
    (b"\xef\xbb\xbfmychar", "BOM"),
    (b"", "empty"),
    (b"a\r\n", "CR"),
    (b"a\nb", "more than one line"),
    (b"\xff\xfe", "not UTF-8"),
    ("cafe\u0301".encode(), "NFC"),
])
def test_check_caption_file_finds_problems(data, problem):
    assert any(problem in p for p in check_caption_file(data))
