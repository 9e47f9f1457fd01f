"""trigger (guide 000/004 activation tokens and the fixed outfit slot), order (guide 002), max_tags."""

from __future__ import annotations

from dataclasses import replace

import pytest

from loraprep.model.recipe import ConceptRecipe
from loraprep.model.tags import Tag
from loraprep.rules.arrange import PEOPLE, max_tags, order, trigger
from loraprep.rules.pipeline import apply_rules
from tests.rules.tagsets import ctx, names, scored, tags

HIFUMI = ConceptRecipe(name="", trigger=("ajitani hifumi",), fixed=("school uniform",))


# --- trigger ---------------------------------------------------------------------------------------------------

def test_trigger_and_fixed_slot_go_first_once():
    """Guide 000: the activation token first, the consolidated outfit tag in 2nd place right behind it."""
    kept, dropped = trigger(tags("pantyhose", "school uniform", "smile"), ctx(HIFUMI))
    assert names(kept) == ["ajitani hifumi", "school uniform", "pantyhose", "smile"]
    assert dropped == ()
    assert (kept[0].source, kept[0].origin, kept[0].category) == ("rule", "rule:trigger", "trigger")
    assert kept[1].source == "tagger"                  # the tagger's own "school uniform" keeps its evidence


def test_several_triggers_in_order():
    concept = ConceptRecipe(name="", trigger=("mychar", "armor outfit"))
    kept, _ = trigger(tags("smile", "mychar"), ctx(concept))
    assert names(kept) == ["mychar", "armor outfit", "smile"]


def test_style_dataset_without_trigger_is_untouched():
    given = tags("smile", "outdoors")
    assert trigger(given, ctx()) == (given, ())


def test_trigger_respects_a_user_removal_on_that_image():
    kept, _ = trigger(tags("smile"), ctx(HIFUMI, removed={"ajitani hifumi"}))
    assert names(kept) == ["school uniform", "smile"]


@pytest.mark.parametrize("written, stored", [("HaileyGrice", "haileygrice"), ("hsr_kafka", "hsr kafka"),
                                             ("Zeta_Summer", "zeta summer")])
def test_the_trigger_is_written_as_the_recipe_spells_it_and_never_twice(written, stored):
    """Issue 16 #3: a caption file's ``HaileyGrice`` is stored as ``haileygrice``; the caption keeps the user's word."""
    from loraprep.model.tags import LeanBase
    from loraprep.rules.pipeline import apply_rules_lean

    concept = ConceptRecipe(name="", trigger=(written,), fixed=("Red_Dress",))
    lean = LeanBase((stored, "1girl", "red dress", "smile"), (None, None, None, None),
                    sources=("import",) * 4, origins=("file:a.txt",) * 4)
    fast = apply_rules_lean(lean, concept)
    assert fast.names == (written, "Red_Dress", "1girl", "smile") and fast.keep_tokens == 2
    assert fast == apply_rules(lean.tags({}), concept)
    removed = apply_rules(lean.tags({}), concept, user_removed=frozenset({stored}))
    assert removed.names == ("Red_Dress", "1girl", "smile")  # the user removing it on this image wins there


# --- order -----------------------------------------------------------------------------------------------------

GUIDE_002_TAGS = scored(("smile", 0.9), ("solo", 0.95), ("outdoors", 0.5), ("1girl", 0.99), ("sky", 0.7),
                        ("2boys", 0.4))


def test_people_count_tags_come_first_then_score():
    """Guide 002: 'solo', '1girl', '1boy', 'Xgirls', 'Xboys' at the beginning, then the sort mode."""
    kept, _ = order(GUIDE_002_TAGS, ctx(order="score"))
    assert names(kept) == ["1girl", "solo", "2boys", "smile", "sky", "outdoors"]


@pytest.mark.parametrize("mode, expected", [
    ("original", ["solo", "1girl", "2boys", "smile", "outdoors", "sky"]),
    ("alphabetical", ["1girl", "2boys", "solo", "outdoors", "sky", "smile"]),
])
def test_sort_modes(mode, expected):
    assert names(order(GUIDE_002_TAGS, ctx(order=mode))[0]) == expected


@pytest.mark.parametrize("name", ["1girl", "1boy", "2girls", "6+girls", "solo", "multiple girls", "no humans"])
def test_people_pattern(name):
    assert PEOPLE.match(name)


@pytest.mark.parametrize("name", ["solo focus", "girl", "1girl hat", "boy"])
def test_not_people(name):
    assert not PEOPLE.match(name)


def test_untagged_scores_rank_as_certain():
    given = (Tag("tree", score=0.6), Tag("from file", source="import", origin="file:a.txt"), Tag("sky", score=0.9))
    assert names(order(given, ctx(order="score"))[0]) == ["from file", "sky", "tree"]


def test_shuffle_is_seeded_per_image_and_reproducible():
    body = tags(*[f"tag {i}" for i in range(12)])
    first = names(order(body, ctx(order="shuffle", seed=1, seed_key="img-a"))[0])
    assert first == names(order(body, ctx(order="shuffle", seed=1, seed_key="img-a"))[0])
    assert first != names(body)
    assert sorted(first) == sorted(names(body))
    assert first != names(order(body, ctx(order="shuffle", seed=1, seed_key="img-b"))[0])
    assert first != names(order(body, ctx(order="shuffle", seed=2, seed_key="img-a"))[0])
    # the order depends on the tags, not on the order they arrive in: re-running never reshuffles
    assert names(order(tuple(reversed(body)), ctx(order="shuffle", seed=1, seed_key="img-a"))[0]) == first


@pytest.mark.parametrize("mode", ["score", "original", "alphabetical", "shuffle"])
@pytest.mark.parametrize("character, copyright", [("kafka (honkai: star rail)", "honkai: star rail"),
                                                  ("zeta (granblue fantasy)", "granblue fantasy")])
def test_character_then_copyright_follow_the_people_tags_under_every_order(mode, character, copyright):
    """Guide 002's caption_ordering: npeople, character, copyright, then the tags (issue 16 #10)."""
    given = (Tag("smile", score=0.9), Tag(copyright, category="copyright", score=0.86), Tag("zebra", score=0.5),
             Tag("solo", score=0.95), Tag(character, category="character", score=0.88), Tag("1girl", score=0.99),
             Tag("aaa", source="import", origin="file:a.txt"))
    kept = names(order(given, ctx(order=mode, seed=3, seed_key="img"))[0])
    assert set(kept[:2]) == {"1girl", "solo"}
    assert kept[2:4] == [character, copyright]


def test_character_placement_is_the_same_from_names_alone():
    from loraprep.model.tags import LeanBase
    from loraprep.rules.pipeline import apply_rules_lean

    categories = {"kafka (honkai: star rail)": "character", "honkai: star rail": "copyright"}
    lean = LeanBase(("smile", "honkai: star rail", "1girl", "kafka (honkai: star rail)"), (0.9, 0.8, 0.99, 0.7))
    concept = ConceptRecipe(name="", trigger=("hsr_kafka",))
    fast = apply_rules_lean(lean, concept, categories=categories)
    assert fast.names == ("hsr_kafka", "1girl", "kafka (honkai: star rail)", "honkai: star rail", "smile")
    assert fast == apply_rules(lean.tags(categories), concept, categories=categories)


def test_fixed_slots_stay_first_whatever_the_order():
    placed = trigger(scored(("solo", 0.9), ("pantyhose", 0.5), ("1girl", 0.99)), ctx(HIFUMI))[0]
    for mode in ("score", "alphabetical", "shuffle", "original"):
        kept = names(order(placed, ctx(HIFUMI, order=mode))[0])
        assert kept[:4] == ["ajitani hifumi", "school uniform", "1girl", "solo"] or \
            kept[:4] == ["ajitani hifumi", "school uniform", "solo", "1girl"]


# --- max_tags --------------------------------------------------------------------------------------------------

def test_max_tags_alone_cuts_the_tail_of_the_caption_as_it_stands():
    given = scored(("a", 0.9), ("b", 0.4), ("c", 0.8), ("d", 0.5))
    kept, dropped = max_tags(given, ctx(max_tags=2))
    assert names(kept) == ["a", "b"]
    assert [d.tag.name for d in dropped] == ["c", "d"]
    assert dropped[0].why == "over 2 tags, #3 in caption order"


@pytest.mark.parametrize("mode", ["score", "original", "alphabetical", "shuffle"])
@pytest.mark.parametrize("count, people", [(30, ("1girl", "solo")), (12, ("solo", "2boys")), (5, ("no humans",))])
def test_max_tags_on_caption_file_tags_keeps_the_head_of_the_caption(mode, count, people):
    """Issue 16 #1: caption-file tags have no scores; ``1girl, solo, tag01 ... tag30`` with max_tags = 30 must
    keep the people tags and cut from the tail as ordered, not alphabetically."""
    body = [f"tag{i:02d}" for i in range(1, count + 1)]
    given = tags(*people, *body, source="import", origin="file:a.txt")
    concept = ConceptRecipe(name="", trigger=("Kf_Char",), fixed=("zz outfit",))
    result = apply_rules(given, replace(concept, rules=replace(concept.rules, order=mode, max_tags=count)))
    assert len(result.names) == count
    assert list(result.names[:2]) == ["Kf_Char", "zz outfit"]
    assert set(people) <= set(result.names[2:2 + len(people)])
    ordered = apply_rules(given, replace(concept, rules=replace(concept.rules, order=mode, max_tags=500))).names
    assert result.names == ordered[:count]  # exactly the head of the caption the order wrote


def test_max_tags_never_cuts_people_tags_even_at_the_tail():
    given = tags("tree", "sky", "1girl", "solo", source="import", origin="file:a.txt")
    kept, _ = max_tags(given, ctx(max_tags=2))
    assert names(kept) == ["1girl", "solo"]


def test_max_tags_never_cuts_fixed_protected_or_user_tags():
    given = (Tag("ajitani hifumi", score=None, source="rule", origin="rule:trigger"), Tag("blurry", score=0.36),
             Tag("mine", score=0.1, source="user", origin="user"), Tag("pin", score=0.1, pinned=True),
             Tag("smile", score=0.99), Tag("sky", score=0.98))
    kept, _ = max_tags(given, ctx(HIFUMI, max_tags=3, protect=("blurry",)))
    assert names(kept) == ["ajitani hifumi", "blurry", "mine", "pin"]


def test_max_tags_default_is_30():
    given = scored(*[(f"t{i}", i / 100) for i in range(40)])
    assert len(max_tags(given, ctx())[0]) == 30
