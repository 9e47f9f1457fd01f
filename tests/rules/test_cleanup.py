"""normalise, aliases (guide 000's panties consolidation, wildcards, chains) and blacklist (recipe, file, shipped)."""

from __future__ import annotations

import pytest

from loraprep.model.tags import Tag
from loraprep.rules.cleanup import aliases, blacklist, normalise
from tests.rules.tagsets import ctx, names, tags


# --- normalise -------------------------------------------------------------------------------------------------

def test_normalise_spells_tags_as_captions_need_them():
    kept, dropped = normalise(tags("Long_Hair", "  blue_eyes ", "^_^", ">_<", "looking_at__viewer"), ctx())
    assert names(kept) == ["long hair", "blue eyes", "^_^", ">_<", "looking at viewer"]
    assert dropped == ()


def test_normalise_merges_duplicates_keeping_the_strongest_at_the_first_position():
    given = (Tag("long_hair", score=0.4), Tag("smile", score=0.9), Tag("Long Hair", score=0.8))
    kept, dropped = normalise(given, ctx())
    assert names(kept) == ["long hair", "smile"]
    assert kept[0].score == 0.8
    assert [(d.tag.score, d.rule, d.why) for d in dropped] == [(0.4, "normalise", "duplicate")]


def test_normalise_duplicate_keeps_the_users_copy_and_any_pin():
    given = (Tag("red hair", score=0.99), Tag("Red_Hair", source="user", origin="user"),
             Tag("red hair ", score=0.5, pinned=True))
    kept, _ = normalise(given, ctx())
    assert len(kept) == 1
    assert kept[0].by_user and kept[0].pinned


def test_normalise_drops_empty_names():
    kept, dropped = normalise(tags("smile", "  ", "_"), ctx())
    assert names(kept) == ["smile"]
    assert {d.why for d in dropped} == {"empty"}


# --- aliases / consolidation ---------------------------------------------------------------------------------

PANTIES = (("panties", "frilled panties"), ("white panties", "frilled panties"))


def test_guide_000_panties_consolidation():
    """Guide 000: `panties, white panties, frilled panties` -> replace all 3 with "frilled panties"."""
    kept, dropped = aliases(tags("panties", "white panties", "frilled panties"), ctx(aliases=PANTIES))
    assert names(kept) == ["frilled panties"]
    assert [(d.tag.name, d.why) for d in dropped] == [("panties", "-> frilled panties"),
                                                      ("white panties", "-> frilled panties")]


def test_consolidation_without_the_target_present_renames_the_first_and_keeps_its_place():
    kept, _ = aliases(tags("smile", "white panties", "panties", "skirt"), ctx(aliases=PANTIES))
    assert names(kept) == ["smile", "frilled panties", "skirt"]
    assert "alias of white panties" in kept[1].origin


def test_wildcard_alias_folds_every_variant_into_the_tag_already_there():
    rule_ctx = ctx(aliases=(("* hair ornament", "hair ornament"),))
    kept, _ = aliases(tags("star hair ornament", "smile", "x hair ornament", "hair ornament"), rule_ctx)
    assert names(kept) == ["smile", "hair ornament"]
    assert kept[1].origin == "tagger"                  # the real tag keeps its own evidence


def test_regex_alias():
    kept, _ = aliases(tags("grey socks", "gray socks", "smile"), ctx(aliases=(("re:^gr[ae]y socks$", "grey socks"),)))
    assert names(kept) == ["grey socks", "smile"]


def test_alias_chains_are_followed_to_the_end():
    chain = (("panties", "white panties"), ("white panties", "frilled panties"))
    kept, _ = aliases(tags("panties"), ctx(aliases=chain))
    assert names(kept) == ["frilled panties"]


def test_alias_cycle_settles_on_one_name():
    cycle = (("a", "b"), ("b", "a"))
    once = aliases(tags("b", "x"), ctx(aliases=cycle))[0]
    assert names(once) == ["a", "x"]
    assert names(aliases(once, ctx(aliases=cycle))[0]) == ["a", "x"]


def test_alias_never_renames_a_user_or_protected_tag():
    given = (Tag("panties", source="user", origin="user"), Tag("white panties", pinned=True))
    kept, dropped = aliases(given, ctx(aliases=PANTIES))
    assert names(kept) == ["panties", "white panties"] and dropped == ()
    kept, _ = aliases(tags("panties"), ctx(aliases=PANTIES, protect=("panties",)))
    assert names(kept) == ["panties"]


def test_alias_never_brings_back_a_tag_the_user_removed():
    kept, dropped = aliases(tags("panties", "smile"), ctx(aliases=PANTIES, removed={"frilled panties"}))
    assert names(kept) == ["smile"]
    assert dropped[0].tag.name == "panties"


# --- blacklist -----------------------------------------------------------------------------------------------

def test_shipped_meta_blacklist_drops_watermarks_and_names():
    given = tags("1girl", "watermark", "signature", "artist name", "twitter username", "web address", "smile")
    kept, dropped = blacklist(given, ctx())
    assert names(kept) == ["1girl", "smile"]
    assert {d.rule for d in dropped} == {"blacklist"}


def test_recipe_blacklist_with_wildcards_and_regex_and_no_default():
    rule_ctx = ctx(default_blacklist=False, blacklist=("* background", "re:^holding", "cup"))
    kept, _ = blacklist(tags("white background", "holding cup", "cup", "watermark", "smile"), rule_ctx)
    assert names(kept) == ["watermark", "smile"]


def test_blacklist_spares_protected_and_user_tags():
    given = (Tag("blurry"), Tag("watermark", source="user", origin="user"), Tag("signature", pinned=True))
    kept, _ = blacklist(given, ctx(blacklist=("blurry",), protect=("blurry",)))
    assert names(kept) == ["blurry", "watermark", "signature"]


def test_prune_mode_none_keeps_the_shipped_meta_tags():
    kept, _ = blacklist(tags("watermark", "smile"), ctx(prune_mode="none"))
    assert names(kept) == ["watermark", "smile"]


@pytest.mark.parametrize("mode", ["none", "minimal", "character_core", "character"])
@pytest.mark.parametrize("listed, given, mine", [
    (("* background",), ("white background", "smile", "signature"), {"white background"}),
    (("re:^holding", "cup"), ("holding cup", "cup", "watermark", "sky"), {"holding cup", "cup"}),
])
def test_the_users_blacklist_applies_under_every_prune_mode(mode, listed, given, mine):
    """Issue 16 #6: prune_mode = "none" silently disabled the user's own blacklist; the user's word always holds,
    the shipped meta list follows the prune mode."""
    kept, dropped = blacklist(tags(*given), ctx(prune_mode=mode, blacklist=listed))
    assert {d.tag.name for d in dropped if d.why == "blacklisted"} == mine
    meta = {"signature", "watermark"} & set(given)
    assert meta & set(names(kept)) == (meta if mode == "none" else set())
    assert names(kept) == [n for n in given if n not in mine and (mode == "none" or n not in meta)]


def test_the_users_blacklist_file_applies_with_prune_mode_none(tmp_path):
    from loraprep.rules.pipeline import apply_rules
    from loraprep.recipe.loader import load_recipe

    (tmp_path / "undesired.txt").write_text("# guide 003's undesired tags\nsimple background\nmonochrome\n")
    path = tmp_path / "loraprep.toml"
    path.write_text('[rules]\nprune_mode = "none"\nblacklist_file = "undesired.txt"\n')
    concept = load_recipe(path).for_concept("")
    result = apply_rules(tags("monochrome", "simple background", "watermark", "smile"), concept)
    assert result.names == ("watermark", "smile")
