"""Names that are not valid UTF-8: escaped for display, with the part at fault and a suggested new name."""

from __future__ import annotations

import os

import pytest

from loraprep.ingest.names import escaped, name_problem


def _os_name(raw: bytes) -> str:
    return os.fsdecode(raw)  # how os.scandir hands such a name to Python (surrogate escapes)


@pytest.mark.parametrize("name", ["plain.png", "ünïcode ŝpace (1).png", "猫/耳.webp", "a\\b.png"])
def test_valid_names_are_left_alone(name):
    assert escaped(name) is None


@pytest.mark.parametrize("raw, shown", [
    (b"zz_\xe9t\xe9.png", "zz_\\xe9t\\xe9.png"),
    (b"c/\xff\xfe.jpg", "c/\\xff\\xfe.jpg"),
    (b"\x93quoted\x94/x.png", "\\x93quoted\\x94/x.png"),
    ("猫".encode("utf-8") + b"\x82\xa0.png", "猫\\x82\\xa0.png"),
])
def test_bad_bytes_are_written_as_escapes_and_the_text_is_valid(raw, shown):
    result = escaped(_os_name(raw))
    assert result == shown
    result.encode("utf-8")  # storable anywhere text goes


@pytest.mark.parametrize("raw, what, part, suggestion", [
    (b"c/zz_\xe9t\xe9.png", "file name", "zz_\\xe9t\\xe9.png", "zz_été.png"),
    (b"caf\xe9/001.png", "folder name", "caf\\xe9", "café"),
    (b"outfit/\x94L\x8e\xa8/001.png", "folder name", "\\x94L\\x8e\\xa8", "猫耳"),
    (b"c/\xb0\xed\xbe\xe7\xc0\xcc.png", "file name", "\\xb0\\xed\\xbe\\xe7\\xc0\\xcc.png", "고양이.png"),
])
def test_problem_names_the_part_and_a_new_name(raw, what, part, suggestion):
    message = name_problem(_os_name(raw))
    assert message.startswith(f"{what} '{part}' is not valid UTF-8: rename it")
    assert f"'{suggestion}'" in message


def test_no_suggestion_when_no_encoding_reads_it():
    message = name_problem(_os_name(b"c/\xff\x00\xfe\x01.png"))
    assert "rename it;" in message and "e.g." not in message
