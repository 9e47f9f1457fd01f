"""Captions from fields: order, kept prefix, seeded per-image draws, dropped character tags (pure)."""

from __future__ import annotations

from collections import Counter

from loraprep.model.recipe import CaptionSettings
from loraprep.rules.caption_fields import compose

NAMES = ("trig", "solo", "red hair", "smile")
FIELDS = {"character": "ann, bob", "copyright": "show", "rating": "general", "artist": ""}


def test_fields_follow_the_ordering_after_the_fixed_head():
    settings = CaptionSettings(ordering=("character", "tags", "copyright", "rating"))
    got = compose(NAMES, 1, FIELDS, settings, "img")
    assert got.tags == ("trig", "ann", "bob", "solo", "red hair", "smile", "show", "general")
    assert got.keep == 1 and got.fields == ("character", "tags", "copyright", "rating")


def test_inner_separator_makes_one_element_and_empty_fields_vanish():
    settings = CaptionSettings(ordering=("artist", "character", "tags"), inner_separator=" and ")
    got = compose(NAMES, 1, FIELDS, settings, "img")
    assert got.tags == ("trig", "ann and bob", "solo", "red hair", "smile")
    assert "artist" not in got.fields


def test_keep_tokens_before_moves_the_end_of_the_kept_prefix():
    settings = CaptionSettings(ordering=("character", "copyright", "tags"), keep_tokens_before="tags")
    assert compose(NAMES, 1, FIELDS, settings, "img").keep == 4   # trig, ann, bob, show
    before_character = CaptionSettings(ordering=("character", "tags"), keep_tokens_before="character")
    assert compose(NAMES, 1, FIELDS, before_character, "img").keep == 1


def test_a_field_equal_to_a_tag_is_written_once_at_the_fields_place():
    settings = CaptionSettings(ordering=("character", "tags"))
    got = compose(("trig", "smile", "ann"), 1, {"character": "ann"}, settings, "img")
    assert got.tags == ("trig", "ann", "smile")


def test_use_prob_draws_are_seeded_per_image_and_field():
    settings = CaptionSettings(ordering=("character", "tags"), field_probs=(("character", 0.3),), seed=11)
    keys = [f"image-{i}" for i in range(2000)]
    first = [compose(NAMES, 1, FIELDS, settings, k).fields for k in keys]
    assert first == [compose(NAMES, 1, FIELDS, settings, k).fields for k in keys]  # the same export twice
    share = Counter("character" in f for f in first)[True] / len(keys)
    assert 0.25 < share < 0.35
    other_seed = CaptionSettings(ordering=("character", "tags"), field_probs=(("character", 0.3),), seed=12)
    assert first != [compose(NAMES, 1, FIELDS, other_seed, k).fields for k in keys]
    # another field's probability does not move this field's draws
    both = CaptionSettings(ordering=("character", "rating", "tags"), seed=11,
                           field_probs=(("character", 0.3), ("rating", 0.5)))
    assert [("character" in f) for f in first] == [
        "character" in compose(NAMES, 1, FIELDS, both, k).fields for k in keys]


def test_zero_probability_never_writes_the_field():
    settings = CaptionSettings(ordering=("character", "tags"), field_probs=(("character", 0.0),))
    assert all("ann" not in compose(NAMES, 1, FIELDS, settings, f"k{i}").tags for i in range(50))


def test_dropped_character_tags_go_to_the_end_or_to_the_wildcard_only():
    on = CaptionSettings(ordering=("tags",), append_dropped_character_tags=True)
    assert compose(NAMES, 1, {}, on, "k", ("blue eyes",)).tags[-1] == "blue eyes"
    wildcard = CaptionSettings(ordering=("tags",), append_dropped_character_tags=True,
                               append_dropped_character_tags_wildcard=True)
    assert "blue eyes" not in compose(NAMES, 1, {}, wildcard, "k", ("blue eyes",)).tags
