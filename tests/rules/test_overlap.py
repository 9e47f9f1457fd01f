"""Overlap pruning: whole-word suffixes (guide 002's sub-string tags), the user's overlap file, fixed slots."""

from __future__ import annotations

from loraprep.model.recipe import ConceptRecipe
from loraprep.model.tags import Tag
from loraprep.rules.overlap import overlap, word_suffixes
from tests.rules.tagsets import ctx, names, tags


def test_word_suffixes():
    assert word_suffixes("star hair ornament") == ("hair ornament", "ornament")
    assert word_suffixes("smile") == ()


def test_panties_under_white_panties_and_hair_ornament_under_star_hair_ornament():
    given = tags("panties", "white panties", "hair ornament", "star hair ornament", "smile")
    kept, dropped = overlap(given, ctx())
    assert names(kept) == ["white panties", "star hair ornament", "smile"]
    assert [(d.tag.name, d.why) for d in dropped] == [("panties", "implied by 'white panties'"),
                                                      ("hair ornament", "implied by 'star hair ornament'")]


def test_guide_000_panties_without_consolidation_keep_both_specific_tags():
    kept, _ = overlap(tags("panties", "white panties", "frilled panties"), ctx())
    assert names(kept) == ["white panties", "frilled panties"]


def test_only_whole_words_count():
    kept, _ = overlap(tags("shirt", "t-shirt", "hair", "long hair", "air"), ctx())
    assert names(kept) == ["shirt", "t-shirt", "long hair", "air"]


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
