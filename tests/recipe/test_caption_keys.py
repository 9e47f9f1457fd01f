"""The [classify] and [caption] tables: defaults, values, and errors with file:line."""

from __future__ import annotations

import pytest

from loraprep.errors import RecipeError
from loraprep.recipe.loader import load_recipe


def _load(tmp_path, text: str):
    path = tmp_path / "loraprep.toml"
    path.write_text(text, encoding="utf-8")
    return load_recipe(path)


def test_no_tables_keep_fields_off(tmp_path):
    recipe = _load(tmp_path, 'trigger = ["x"]\n')
    assert recipe.classify.enabled is False and recipe.caption.ordering is None
    assert recipe.base.rules.drop_all_core is False


def test_tables_turn_them_on_with_the_guides_defaults(tmp_path):
    recipe = _load(tmp_path, '[classify]\nrefs = "r"\n\n[caption]\n')
    assert recipe.classify.enabled and recipe.classify.refs == "r" and not recipe.classify.assign_concepts
    assert recipe.caption.ordering == ("npeople", "character", "copyright", "image_type", "artist", "rating",
                                       "crop_info", "tags")


def test_caption_values(tmp_path):
    recipe = _load(tmp_path, '[caption]\ncaption_ordering = ["tags", "character"]\nuse_character_prob = 0.25\n'
                             'use_rating_prob = 0\nkeep_tokens_before = "character"\ninner_separator = " and "\n'
                             'drop_all_core = true\nseed = 9\n')
    c = recipe.caption
    assert c.ordering == ("tags", "character") and c.prob("character") == 0.25 and c.prob("rating") == 0
    assert c.prob("artist") == 1.0 and c.keep_tokens_before == "character" and c.seed == 9
    assert recipe.base.rules.drop_all_core is True


@pytest.mark.parametrize("text,message", [
    ('[caption]\ncaption_ordering = ["character"]\n', "must hold \"tags\""),
    ('[caption]\ncaption_ordering = ["tags", "mood"]\n', "'mood'"),
    ('[caption]\nuse_character_prob = 1.5\n', "between 0 and 1"),
    ('[caption]\nuse_tags_prob = 0.5\n', "unknown key 'use_tags_prob'"),
    ('[caption]\nkeep_tokens_before = "nowhere"\n', "must be one of"),
    ('[classify]\nassign_concepts = "yes"\n', "true or false"),
    ('classify = 3\n', "must be a table"),
])
def test_bad_values_name_the_line(tmp_path, text, message):
    with pytest.raises(RecipeError, match=message) as err:
        _load(tmp_path, text)
    assert "loraprep.toml:" in str(err.value)
