"""Caption decoding: byte-order marks, the UTF-16/32 NUL pattern, strict UTF-8, the recipe's encoding, and a
suggested encoding (never a guess) for the rest."""

from __future__ import annotations

import os

import pytest

from loraprep.errors import SourceFileError
from loraprep.ingest.text_encoding import decode_text, suggest_encodings

TEXTS = ["cat ears, 1girl, smile", "a", "猫耳, 1girl, ひとり", "고양이 귀, 소녀", "café, naïve\r\nsüß",
         "一, 丁, long hair", "x" * 3000 + ", y"]


@pytest.mark.parametrize("text", TEXTS)
@pytest.mark.parametrize("codec, bom, label", [
    ("utf-8", b"\xef\xbb\xbf", "utf-8-sig"), ("utf-16-le", b"\xff\xfe", "utf-16"),
    ("utf-16-be", b"\xfe\xff", "utf-16"), ("utf-32-le", b"\xff\xfe\x00\x00", "utf-32"),
    ("utf-32-be", b"\x00\x00\xfe\xff", "utf-32")])
def test_byte_order_mark_decides(text, codec, bom, label):
    assert decode_text(bom + text.encode(codec)) == (text, label)


@pytest.mark.parametrize("text", TEXTS)
@pytest.mark.parametrize("codec", ["utf-16-le", "utf-16-be", "utf-32-le", "utf-32-be"])
def test_utf16_and_utf32_without_a_mark_are_told_by_their_nul_bytes(text, codec):
    decoded, found = decode_text(text.encode(codec))
    assert decoded == text and found.startswith(codec[:6])


def test_a_trailing_nul_terminator_is_dropped():
    assert decode_text("red hair, smile\x00".encode("utf-16-le")) == ("red hair, smile", "utf-16-le")


@pytest.mark.parametrize("text", ["plain ascii", "日本語, tags", "émoji 🐱, ok", ""])
def test_strict_utf8(text):
    assert decode_text(text.encode("utf-8")) == (text, "utf-8")


@pytest.mark.parametrize("text, codec", [("café, crème brûlée", "cp1252"), ("猫耳, 少女", "shift_jis"),
                                         ("长发, 猫耳", "gbk"), ("소녀, 미소", "euc-kr"), ("Œuvre, “quoted”", "cp1252")])
def test_recipe_encoding_is_used_only_when_utf8_fails(text, codec):
    data = text.encode(codec)
    with pytest.raises(SourceFileError):
        decode_text(data)
    assert decode_text(data, codec) == (text, codec)
    assert decode_text("plain, tags".encode(codec), codec) == ("plain, tags", "utf-8")


@pytest.mark.parametrize("text, codec", [
    ("café, naïve, pokémon", "cp1252"), ("süß, größe, Ärger", "cp1252"), ("chapeau à plumes", "cp1252"),
    ("猫耳, 1girl, ひとり", "shift_jis"), ("セーラー服, 笑顔", "shift_jis"),
    ("고양이 귀, 소녀", "euc-kr"), ("긴 머리, 웃음", "euc-kr"),
    ("猫耳，少女，长发", "gbk"), ("红色眼睛, 微笑", "gbk")])
def test_undecodable_caption_suggests_the_encoding_that_reads_as_text(text, codec):
    data = text.encode(codec)
    with pytest.raises(SourceFileError) as caught:
        decode_text(data)
    message = caught.value.message
    assert message.startswith("caption is not valid UTF-8: byte 0x")
    assert f'caption_encoding = "{codec}"' in message and repr(text)[1:-1].split(",")[0] in message
    assert suggest_encodings(data)[0] == (codec, text)


@pytest.mark.parametrize("seed", range(6))
def test_binary_data_is_not_text(seed):
    data = bytes((seed * 37 + i * 101) % 256 for i in range(200)) + os.urandom(40)
    with pytest.raises(SourceFileError) as caught:
        decode_text(data)
    assert "caption" in caught.value.message


def test_wrong_recipe_encoding_is_named_with_a_better_one():
    data = "猫耳, 1girl".encode("shift_jis")
    with pytest.raises(SourceFileError) as caught:
        decode_text(data, "euc-kr")
    assert "nor euc-kr (the recipe's caption_encoding)" in caught.value.message
    assert 'caption_encoding = "shift_jis"' in caught.value.message


def test_broken_mark_is_an_error_not_a_guess():
    with pytest.raises(SourceFileError, match="UTF-16 byte-order mark but is not valid UTF-16"):
        decode_text(b"\xff\xfe" + "ab".encode("utf-16-le") + b"\x00\xd8")  # a lone high surrogate
