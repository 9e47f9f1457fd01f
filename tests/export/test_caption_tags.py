"""Splitting loraprep's kohya-style caption into tags and re-joining it per trainer."""

from __future__ import annotations

import pytest

from loraprep.errors import ExportError
from loraprep.export.base import ExportOptions
from loraprep.export.caption_tags import comma_caption, plain_caption, split_caption


@pytest.mark.parametrize("caption, sep, token, tags, kept", [
    ("mychar, 1girl ||| school uniform, pantyhose", ",", "|||", ("mychar", "1girl", "school uniform", "pantyhose"), 2),
    ("zeta; armor outfit || red dress; smile", ";", "||", ("zeta", "armor outfit", "red dress", "smile"), 2),
    ("a ||| b ||| c", ",", "|||", ("a", "b", "c"), 1),
    ("mychar, smile", ",", "|||", ("mychar", "smile"), None),
    ("hsr_kafka,HaileyGrice , (armor) v2", ",", None, ("hsr_kafka", "HaileyGrice", "(armor) v2"), None),
])
def test_split_caption(caption, sep, token, tags, kept):
    parts = split_caption(caption, sep, token)
    assert parts.tags == tags and parts.kept == kept


def test_plain_caption_drops_the_keep_tokens_separator_and_keeps_the_recipe_separator(tmp_path):
    options = ExportOptions(tmp_path, tmp_path, keep_tokens_separator="|||", caption_separator=";")
    assert plain_caption("zeta; 1girl ||| beach; night sky", options) == "zeta; 1girl; beach; night sky"


def test_comma_caption_converts_and_refuses_a_tag_holding_a_comma(tmp_path):
    options = ExportOptions(tmp_path, tmp_path, caption_separator=";")
    assert comma_caption("zeta; red dress; smile", options, "t", "w") == "zeta, red dress, smile"
    with pytest.raises(ExportError, match="'red, white dress'"):
        comma_caption("zeta; red, white dress; smile", options, "ai-toolkit", "shuffle_tokens is on")
