"""printable(): names from disk print on one line, in reading order, with every hidden character visible."""

from __future__ import annotations

import os

import pytest

from loraprep.model.printable import printable


@pytest.mark.parametrize("raw, shown", [
    ("outfit_a/001.png", "outfit_a/001.png"),
    ("bad\nname/a.txt", "bad\\nname/a.txt"),
    ("cr\rtab\tbell\x07", "cr\\rtab\\tbell\\x07"),
    ("evil\u202egnp.exe", "evil\\u202egnp.exe"),
    ("zero\u200bwidth\ufeff", "zero\\u200bwidth\\ufeff"),
    ("line\u2028para\u2029", "line\\u2028para\\u2029"),
    ("c1\x85\x9b", "c1\\x85\\x9b"),
    ("café ゼータ 😀 (v2) [x]", "café ゼータ 😀 (v2) [x]"),
])
def test_printable(raw, shown):
    assert printable(raw) == shown


def test_undecodable_bytes_print_as_their_byte():
    name = os.fsdecode(b"zz_\xe9t\xe9.png")
    assert printable(name) == "zz_\\xe9t\\xe9.png"
    printable(name).encode("utf-8")  # never a lone surrogate left to crash a write
