"""Overlap pruning: contained tags (guide 002's sub-string tags, whole words), the user's overlap file, fixed slots."""

from __future__ import annotations

from loraprep.model.recipe import ConceptRecipe
from loraprep.model.tags import Tag
import pytest

from loraprep.rules.overlap import contained_tags, overlap
from tests.rules.tagsets import ctx, names, tags


def test_contained_tags_are_runs_of_whole_words():
    assert contained_tags("star hair ornament") == ("star", "star hair", "hair", "hair ornament", "ornament")
    assert contained_tags("t-shirt") == ("t", "shirt")
    assert contained_tags("smile") == () and contained_tags(">_<") == () and contained_tags(":-)") == ()
    assert contained_tags("kafka (honkai: star rail)") == ()


def test_panties_under_white_panties_and_hair_ornament_under_star_hair_ornament():
    given = tags("panties", "white panties", "hair ornament", "star hair ornament", "smile")
    kept, dropped = overlap(given, ctx())
    assert names(kept) == ["white panties", "star hair ornament", "smile"]
    assert [(d.tag.name, d.why) for d in dropped] == [("panties", "implied by 'white panties'"),
                                                      ("hair ornament", "implied by 'star hair ornament'")]


def test_guide_000_panties_without_consolidation_keep_both_specific_tags():
    kept, _ = overlap(tags("panties", "white panties", "frilled panties"), ctx())
    assert names(kept) == ["white panties", "frilled panties"]


@pytest.mark.parametrize("general, specific", [
    ("holding", "holding cup"), ("holding", "holding sword"), ("shirt", "t-shirt"), ("hair", "hair ornament"),
    ("hair", "long hair"), ("skirt", "pleated skirt"), ("sword", "holding sword"), ("hair ornament", "star hair ornament"),
    ("swimsuit", "one-piece swimsuit"), ("thighhighs", "black thighhighs"),
])
def test_guide_002_a_tag_contained_in_a_more_specific_one_goes(general, specific):
    kept, dropped = overlap(tags(general, "smile", specific), ctx())
    assert names(kept) == ["smile", specific]
    assert [(d.tag.name, d.why) for d in dropped] == [(general, f"implied by '{specific}'")]


@pytest.mark.parametrize("given", [
    ("hat", "hatsune miku"), ("air", "long hair"), ("shirt", "shirts"), ("star", "kafka (honkai: star rail)"),
    ("hood", "little red riding hood (grimm)"), ("bow", "bow (weapon)"), ("one piece", "one-piece swimsuit"),
    ("blue", "blue eyes (cosplay)"), ("^_^", "^_^ (emoticon)"),
])
def test_only_whole_words_outside_a_qualifier_count(given):
    kept, _ = overlap(tags(*given), ctx())
    assert names(kept) == list(given)


def test_user_overlap_file_wins_over_containment():
    rule_ctx = ctx(overlap_pairs=(("cat ears", ()), ("holding cup", ("holding",))))
    kept, _ = overlap(tags("cat", "cat ears", "holding", "cup", "holding cup"), rule_ctx)
    assert names(kept) == ["cat", "cat ears", "cup", "holding cup"]


def test_protected_tag_survives_containment():
    kept, _ = overlap(tags("blurry", "blurry background", "holding", "holding cup"), ctx(protect=("blurry",)))
    assert names(kept) == ["blurry", "blurry background", "holding cup"]


def test_user_overlap_file_pairs():
    rule_ctx = ctx(overlap_pairs=(("santa hat", ("hat", "red headwear")),))
    kept, dropped = overlap(tags("hat", "red headwear", "santa hat", "smile"), rule_ctx)
    assert names(kept) == ["santa hat", "smile"]
    assert {d.tag.name for d in dropped} == {"hat", "red headwear"}


def test_overlap_spares_user_and_protected_tags():
    given = (Tag("panties", source="user", origin="user"), Tag("hair", pinned=True), Tag("ornament"),
             Tag("white panties"), Tag("long hair"), Tag("hair ornament"))
    kept, _ = overlap(given, ctx(protect=("ornament",)))
    assert names(kept) == names(given)


def test_overlap_off_or_prune_mode_none_keeps_everything():
    given = tags("panties", "white panties")
    assert names(overlap(given, ctx(overlap=False))[0]) == ["panties", "white panties"]
    assert names(overlap(given, ctx(prune_mode="none"))[0]) == ["panties", "white panties"]


def test_fixed_slot_implies_its_suffix_before_the_trigger_rule_places_it():
    # "school uniform" will be in every caption (guide 000's consolidated outfit tag): "uniform" is redundant.
    concept = ConceptRecipe(name="", trigger=("hifumi",), fixed=("school uniform",))
    kept, _ = overlap(tags("uniform", "smile"), ctx(concept))
    assert names(kept) == ["smile"]
    kept, _ = overlap(tags("uniform", "smile"), ctx(concept, removed={"school uniform"}))
    assert names(kept) == ["uniform", "smile"]


@pytest.mark.parametrize("category", ["character", "copyright", "artist"])
def test_a_name_never_makes_a_general_tag_vanish(category):
    """`red hood` the character names someone; `hood` on the picture is still a hood (no qualifier needed)."""
    given = (*tags("hood", "smile"), Tag("red hood", category=category), *tags("hooded cloak"))
    kept, dropped = overlap(given, ctx())
    assert names(kept) == ["hood", "smile", "red hood", "hooded cloak"] and dropped == ()
    general = (*tags("hood", "smile"), Tag("red hood", category="general"))
    assert names(overlap(general, ctx())[0]) == ["smile", "red hood"]     # a description does imply it
    listed = ctx(overlap_pairs=(("red hood", ("hood",)),))                 # the user's file still decides
    assert names(overlap(given, listed)[0]) == ["smile", "red hood", "hooded cloak"]
