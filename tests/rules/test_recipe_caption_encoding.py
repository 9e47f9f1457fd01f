"""The recipe's caption_encoding: any text codec, per concept too; a bytes codec or an unknown name names the line."""

from __future__ import annotations

import pytest

from loraprep.errors import RecipeError
from loraprep.rules.recipe_loader import load_recipe


def _load(tmp_path, text: str):
    path = tmp_path / "loraprep.toml"
    path.write_text(text, encoding="utf-8")
    return load_recipe(path)


@pytest.mark.parametrize("name", ["cp1252", "shift_jis", "gbk", "euc-kr", "utf-16", "latin-1"])
def test_text_encodings_load_at_the_top_and_per_concept(tmp_path, name):
    recipe = _load(tmp_path, f'trigger = "x"\ncaption_encoding = "{name}"\n[concepts.other]\ncaption_encoding = "gbk"\n')
    assert recipe.for_concept("any").caption_encoding == name
    assert recipe.for_concept("other").caption_encoding == "gbk"


def test_unset_is_none(tmp_path):
    assert _load(tmp_path, 'trigger = "x"\n').for_concept("c").caption_encoding is None


@pytest.mark.parametrize("value, line", [('"no-such-codec"', 3), ('"base64"', 3), ("1252", 3)])
def test_a_bad_encoding_is_an_error_with_file_and_line(tmp_path, value, line):
    with pytest.raises(RecipeError) as caught:
        _load(tmp_path, f'trigger = "x"\n# encoding of old captions\ncaption_encoding = {value}\n')
    assert f"loraprep.toml:{line}:" in caught.value.message and "caption_encoding" in caught.value.message
