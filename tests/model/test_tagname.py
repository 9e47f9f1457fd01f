"""Tag spelling: underscores to spaces except kaomoji, lower case, trimmed; A1111 escaping."""

from __future__ import annotations

import pytest

from loraprep.model.tagname import KAOMOJI, display_name, escape_a1111, is_kaomoji


@pytest.mark.parametrize("raw, name", [
    ("long_hair", "long hair"), ("  Blue_Eyes ", "blue eyes"), ("looking_at__viewer", "looking at viewer"),
    ("a \t b", "a b"), ("_", ""), ("", ""), ("kafka_(honkai:_star_rail)", "kafka (honkai: star rail)"),
    ("^_^", "^_^"), (" >_< ", ">_<"), ("O_O", "o_o"), ("|_|", "|_|"),
])
def test_display_name(raw, name):
    assert display_name(raw) == name
    assert display_name(name) == name                 # idempotent


def test_every_kaomoji_keeps_its_underscore():
    for face in KAOMOJI:
        assert display_name(face) == face and is_kaomoji(f" {face.upper()} ")
    assert not is_kaomoji("long_hair")


@pytest.mark.parametrize("name, escaped", [
    ("kafka (honkai: star rail)", r"kafka \(honkai: star rail\)"),
    (r"already \(escaped\)", r"already \(escaped\)"),
    ("smile", "smile"), (":)", r":\)"),
])
def test_escape_a1111(name, escaped):
    assert escape_a1111(name) == escaped
    assert escape_a1111(escaped) == escaped
