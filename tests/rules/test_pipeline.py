"""apply_rules and render_caption end to end on the guides' examples, from real recipe files."""

from __future__ import annotations

import random
from dataclasses import replace

import pytest

from loraprep.model.recipe import ConceptRecipe
from loraprep.model.tags import Tag
from loraprep.rules.pipeline import RULES, apply_rules, render_caption
from loraprep.recipe.loader import load_recipe
from loraprep.rules.stats import concept_stats
from tests.rules.tagsets import scored, tags

HIFUMI_CAPTION = "ajitani hifumi, school uniform, pantyhose, smile, halo, tree, classroom, from above"


def _recipe(tmp_path, text: str):
    path = tmp_path / "loraprep.toml"
    path.write_text(text, encoding="utf-8")
    return load_recipe(path)


def kohya_shuffle(caption: str, keep_tokens: int, separator: str | None, rng: random.Random) -> str:
    """What kohya's sd-scripts does with shuffle_caption: the fixed part stays, the rest is shuffled."""
    if separator and separator in caption:
        fixed_part, flex_part = caption.split(separator, 1)
        fixed = [t.strip() for t in fixed_part.split(",") if t.strip()]
        flex = [t.strip() for t in flex_part.split(",") if t.strip()]
    else:
        tokens = [t.strip() for t in caption.split(",")]
        fixed, flex = tokens[:keep_tokens], tokens[keep_tokens:]
    rng.shuffle(flex)
    return ", ".join(fixed + flex)


def test_rules_run_in_the_documented_order():
    assert [fn.rule_name for fn in RULES] == ["normalise", "aliases", "blacklist", "overlap", "strategy",
                                              "prune_mode", "trigger", "order", "max_tags"]


# --- guide 000: activation token + consolidated outfit tag, keep_tokens = 2, shuffle -------------------------

@pytest.mark.parametrize("separator", [False, True])
def test_guide_000_keep_tokens_2_shuffle(tmp_path, separator):
    """Guide 000: with shuffle caption + keep tokens = 2, the first two tags stay and the rest is shuffled."""
    recipe = _recipe(tmp_path, 'trigger = ["ajitani hifumi"]\nfixed = ["school uniform"]\n'
                               f'keep_tokens_separator = {str(separator).lower()}\n[rules]\norder = "original"\n')
    concept = recipe.for_concept("")
    imported = tags(*HIFUMI_CAPTION.split(", ")[::-1], source="import", origin="file:hifumi.txt")
    result = apply_rules(imported, concept)
    assert result.keep_tokens == 2 == concept.effective_keep_tokens
    caption = render_caption(result, concept)
    if separator:
        assert caption.startswith("ajitani hifumi, school uniform ||| ")
    else:
        assert caption.startswith("ajitani hifumi, school uniform, ")
    rng = random.Random(3)
    seen = set()
    for _ in range(20):
        shuffled = kohya_shuffle(caption, result.keep_tokens, "|||" if separator else None, rng).split(", ")
        # the guide's shuffled line drops "tree" by mistake; every tag of the input must still be there
        assert shuffled[:2] == ["ajitani hifumi", "school uniform"]
        assert sorted(shuffled) == sorted(HIFUMI_CAPTION.split(", "))
        seen.add(tuple(shuffled))
    assert len(seen) > 1


def test_guide_000_example_line_is_a_valid_shuffle_of_the_caption():
    # the guide's own output, with its missing "tree" restored
    guide_out = "ajitani hifumi, school uniform, classroom, from above, halo, smile, pantyhose, tree".split(", ")
    concept = ConceptRecipe(name="", trigger=("ajitani hifumi",), fixed=("school uniform",),
                            rules=replace(ConceptRecipe(name="").rules, order="shuffle"))
    result = apply_rules(tags(*HIFUMI_CAPTION.split(", "), source="import"), concept, seed_key="hifumi.png")
    assert list(result.names[:2]) == guide_out[:2]
    assert sorted(result.names[2:]) == sorted(guide_out[2:])
    assert result.names == apply_rules(tags(*HIFUMI_CAPTION.split(", "), source="import"), concept,
                                       seed_key="hifumi.png").names


def test_explicit_keep_tokens_and_separator_rendering():
    concept = ConceptRecipe(name="", trigger=("mychar",), keep_tokens=3, keep_tokens_separator="|||",
                            rules=replace(ConceptRecipe(name="").rules, order="original", separator=","))
    result = apply_rules(tags("1girl", "solo", "smile", "sky"), concept)
    assert result.keep_tokens == 3
    assert render_caption(result, concept) == "mychar,1girl,solo ||| smile,sky"


def test_no_separator_when_every_tag_is_fixed():
    concept = ConceptRecipe(name="", trigger=("mychar",), keep_tokens_separator="|||")
    result = apply_rules((), concept)
    assert render_caption(result, concept) == "mychar"


def test_a1111_style_escapes_parentheses_plain_does_not():
    concept = ConceptRecipe(name="")
    result = apply_rules(tags("kafka_(honkai:_star_rail)"), concept)
    assert render_caption(result, concept) == "kafka (honkai: star rail)"
    a1111 = replace(concept, rules=replace(concept.rules, style="a1111"))
    assert render_caption(apply_rules(tags("kafka_(honkai:_star_rail)"), a1111), a1111) == \
        r"kafka \(honkai: star rail\)"


# --- guide 001: the three patterns, from a recipe ------------------------------------------------------------

GUIDE_001 = ("1girl, bangs, black hair, blush, closed eyes, cushion, grey pants, grey socks, orange shirt, short hair, "
             "simple background, sitting, smile, solo, window")
PATTERNS = {
    "all": GUIDE_001,
    "absorb": "1girl, blush, closed eyes, cushion, simple background, sitting, smile, solo, window",
    "only-learned": "bangs, black hair, grey pants, grey socks, orange shirt, short hair",
}


@pytest.mark.parametrize("strategy", list(PATTERNS))
def test_guide_001_patterns_from_a_recipe(tmp_path, strategy):
    recipe = _recipe(tmp_path, f'strategy = "{strategy}"\n[rules]\norder = "original"\n'
                               'learned_categories = ["hair color", "hair length", "hair style", "eye color", '
                               '"clothing"]\n')
    result = apply_rules(tags(*GUIDE_001.split(", "), source="import"), recipe.for_concept(""))
    expected = PATTERNS[strategy].split(", ")
    people = [t for t in ("1girl", "solo") if t in expected]            # guide 002: people-count tags first
    assert list(result.names) == people + [t for t in expected if t not in people]


def test_guide_001_blurry_is_protected_from_every_rule(tmp_path):
    """Guide 001: tag blurry images `blurry` and keep it, so the prompt can avoid it."""
    recipe = _recipe(tmp_path, 'trigger = ["mychar"]\nstrategy = "only-learned"\n[rules]\nprotect = ["blurry"]\n'
                               'blacklist = ["blurry", "* background"]\nmax_tags = 2\n')
    result = apply_rules(scored(("black hair", 0.9), ("blurry", 0.36), ("blurry background", 0.5), ("tree", 0.8)),
                         recipe.for_concept(""))
    # the trigger and blurry are protected, so max_tags = 2 leaves room for nothing else
    assert list(result.names) == ["mychar", "blurry"]
    assert {d.tag.name: d.rule for d in result.dropped_tags} == {"blurry background": "blacklist", "tree": "strategy",
                                                            "black hair": "max_tags"}


# --- guide 004: one trigger per outfit ------------------------------------------------------------------------

ZETA = '''# guide 004: Zeta from Granblue Fantasy, one activation tag per outfit
strategy = "absorb"

[rules]
learned_categories = ["hair color", "hair length", "eye color"]   # hair style and clothing stay tagged

[concepts.outfit1]
trigger = ["zetadef"]
repeats = 5

[concepts.outfit2]
trigger = ["zetasummer"]
repeats = 3

[concepts.outfit3]
trigger = ["zetadark"]
repeats = 1

[concepts.outfit4]
trigger = ["zetahalloween"]
repeats = 2
'''


def test_guide_004_multi_outfit_triggers(tmp_path):
    recipe = _recipe(tmp_path, ZETA)
    image = scored(("1girl", 0.99), ("blonde hair", 0.95), ("long hair", 0.9), ("red eyes", 0.85),
                   ("ponytail", 0.8), ("bikini", 0.7), ("hair ornament", 0.6), ("beach", 0.5))
    captions = {}
    for concept, trig in [("outfit1", "zetadef"), ("outfit2", "zetasummer"), ("outfit3", "zetadark"),
                          ("outfit4", "zetahalloween")]:
        result = apply_rules(image, recipe.for_concept(concept))
        captions[concept] = list(result.names)
        assert result.names[0] == trig
        assert result.keep_tokens == 1
        assert {d.tag.name for d in result.dropped_tags} == {"blonde hair", "long hair", "red eyes"}
    assert captions["outfit2"] == ["zetasummer", "1girl", "ponytail", "bikini", "hair ornament", "beach"]
    assert [recipe.for_concept(c).repeats for c in ("outfit1", "outfit2", "outfit3", "outfit4")] == [5, 3, 1, 2]
    assert recipe.for_concept("elsewhere").trigger == ()                 # a concept without override: the base


# --- defaults, core tags, user wins --------------------------------------------------------------------------

def test_defaults_prune_meta_tags_and_overlap_only():
    """DESIGN §5: with no recipe, no trigger, strategy all, overlap pruning and the meta blacklist on."""
    recipe = load_recipe(None)
    result = apply_rules(scored(("watermark", 0.9), ("panties", 0.5), ("white panties", 0.6), ("blue eyes", 0.8),
                                ("solo", 0.7)), recipe.for_concept("x"))
    assert list(result.names) == ["solo", "blue eyes", "white panties"]
    assert result.keep_tokens == 0


def test_core_tags_from_stats_feed_character_core(tmp_path):
    recipe = _recipe(tmp_path, '[rules]\nprune_mode = "character_core"\ncore_frequency = 0.5\n')
    images = [["red hair", "smile", "sky"], ["red hair", "smile"], ["red hair", "blue eyes"], ["blue eyes"]]
    stats = concept_stats(images, recipe.base.rules.core_frequency)
    result = apply_rules(tags("red hair", "blue eyes", "smile", "sky"), recipe.for_concept(""), stats)
    assert list(result.names) == ["smile", "sky"]


def test_user_adds_pins_and_removes_win(tmp_path):
    recipe = _recipe(tmp_path, 'trigger = ["mychar"]\nstrategy = "absorb"\n[rules]\n'
                               'consolidate = { "frilled panties" = ["panties", "white panties"] }\n'
                               'blacklist = ["smile"]\n')
    given = (Tag("black hair", source="user", origin="user"), Tag("smile", score=0.9, pinned=True),
             Tag("watermark", source="user", origin="user"), Tag("panties", score=0.8), Tag("blue eyes", score=0.9))
    result = apply_rules(given, recipe.for_concept(""), user_removed=frozenset({"mychar", "frilled panties"}))
    assert set(result.names) == {"black hair", "smile", "watermark"}
    assert result.keep_tokens == 0
