"""Every caption example in docs/recipe.md and docs/formats.md, produced here by the rules: (recipe, tags) ->
caption. A docs example with no row here, or a row whose caption the docs do not quote, fails."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from loraprep.model.tags import Tag
from loraprep.rules.pipeline import apply_rules, render_caption
from loraprep.recipe.loader import load_recipe
from loraprep.rules.stats import concept_stats

DOCS = Path(__file__).resolve().parents[2] / "docs"
GUIDE_001 = ("1girl, bangs, black hair, blush, closed eyes, cushion, grey pants, grey socks, orange shirt, short hair, "
             "simple background, sitting, smile, solo, window")
GUIDE_001_RECIPE = '[rules]\nlearned_categories = ["hair color", "hair length", "hair style", "eye color", "clothing"]\n'
ZETA_RECIPE = ('strategy = "absorb"\n[rules]\nlearned_categories = ["hair color", "hair length", "eye color"]\n'
               '[concepts.outfit2]\ntrigger = ["zetasummer"]\nrepeats = 3\n')
BEFORE_AFTER = "before: {tags}\nafter: {caption}"

# (id, doc, recipe TOML, concept, tags as the docs write them, caption, how the docs quote the pair)
EXAMPLES = [
    ("normalise", "recipe.md", "", "", "Long_Hair, blue_eyes, ^_^, long hair", "long hair, blue eyes, ^_^",
     BEFORE_AFTER),
    ("consolidate", "recipe.md", '[rules]\nconsolidate = { "frilled panties" = ["panties", "white panties"] }\n', "",
     "panties, white panties, frilled panties, smile", "frilled panties, smile", BEFORE_AFTER),
    ("alias wildcard", "recipe.md", '[rules]\naliases = { "* hair ornament" = "hair ornament" }\n', "",
     "star hair ornament, smile", "hair ornament, smile", BEFORE_AFTER),
    ("blacklist", "recipe.md", '[rules]\nblacklist = ["* background", "re:^holding"]\n', "",
     "1girl, watermark, signature, smile, white background", "1girl, smile", BEFORE_AFTER),
    ("overlap", "recipe.md", "", "", "panties, white panties, hair ornament, star hair ornament, smile",
     "white panties, star hair ornament, smile", BEFORE_AFTER),
    ("absorb", "recipe.md", 'strategy = "absorb"\n', "",
     "freckles, platinum blonde hair, long hair, green eyes, small breasts, smile, dress", "smile, dress",
     BEFORE_AFTER),
    ("prune character", "recipe.md", '[rules]\nprune_mode = "character"\ndrop_difficulty = 1\n', "",
     "blue eyes, long hair, cat ears, tail, smile, school uniform", "cat ears, tail, smile", BEFORE_AFTER),
    ("trigger", "recipe.md", 'trigger = ["mychar"]\nfixed = ["school uniform"]\n', "",
     "smile, school uniform, pantyhose", "mychar, school uniform, smile, pantyhose", BEFORE_AFTER),
    ("order", "recipe.md", '[rules]\norder = "score"\n', "",
     "smile (0.90), solo (0.95), outdoors (0.50), 1girl (0.99), sky (0.70)", "1girl, solo, smile, sky, outdoors",
     BEFORE_AFTER),
    ("order character", "recipe.md", "", "",
     "smile (0.90), honkai: star rail [copyright] (0.80), 1girl (0.99), kafka (honkai: star rail) [character] (0.70)",
     "1girl, kafka (honkai: star rail), honkai: star rail, smile", BEFORE_AFTER),
    ("max_tags", "recipe.md", '[rules]\nmax_tags = 2\n', "", "smile (0.90), tree (0.40), sky (0.80), cloud (0.50)",
     "smile, sky", BEFORE_AFTER),
    ("max_tags caption file", "recipe.md", '[rules]\nmax_tags = 4\n', "", "1girl, solo, smile, tree, sky, cloud",
     "1girl, solo, smile, tree", BEFORE_AFTER),
    ("protect", "recipe.md", 'strategy = "only-learned"\n[rules]\nprotect = ["blurry"]\n', "",
     "black hair, blurry, tree", "black hair, blurry", BEFORE_AFTER),
    ("guide 001 absorb", "recipe.md", 'strategy = "absorb"\n' + GUIDE_001_RECIPE, "", GUIDE_001,
     "1girl, solo, blush, closed eyes, cushion, simple background, sitting, smile, window",
     "| `absorb` | pattern 2: remove the tags you want to learn; the trigger absorbs them | `{caption}` |"),
    ("guide 001 only-learned", "recipe.md", 'strategy = "only-learned"\n' + GUIDE_001_RECIPE, "", GUIDE_001,
     "bangs, black hair, grey pants, grey socks, orange shirt, short hair",
     "| `only-learned` | pattern 3: keep only the tags you want to learn | `{caption}` |"),
    ("keep_tokens_separator", "recipe.md",
     'trigger = ["ajitani hifumi"]\nfixed = ["school uniform"]\nkeep_tokens_separator = true\n', "",
     "ajitani hifumi, school uniform, pantyhose, smile, halo, tree, classroom, from above",
     "ajitani hifumi, school uniform ||| pantyhose, smile, halo, tree, classroom, from above",
     "the caption is written\n\n```\n{caption}\n```"),
    ("guide 004 zeta", "recipe.md", ZETA_RECIPE, "outfit2",
     "1girl, blonde hair, long hair, red eyes, ponytail, bikini, hair ornament, beach",
     "zetasummer, 1girl, ponytail, bikini, hair ornament, beach", "tagged `{tags}` gets the caption `{caption}`"),
    ("formats keep_tokens_separator", "formats.md", 'trigger = ["a"]\nfixed = ["b"]\nkeep_tokens_separator = true\n',
     "", "c, d", "a, b ||| c, d", "as rendered, `{caption}` kept"),
]
TAG = re.compile(r"^(?P<name>.+?)(?: \[(?P<category>\w+)\])?(?: \((?P<score>[01]\.\d+)\))?$")


def parse_tags(text: str) -> list[Tag]:
    """Tags as the docs write them: ``name``, ``name (0.90)`` (a tagger score), ``name [character]``; a tag
    with no score came from a caption file."""
    found = []
    for part in text.split(", "):
        m = TAG.match(part)
        score = float(m["score"]) if m["score"] else None
        found.append(Tag(m["name"], category=m["category"] or "general", score=score,
                         source="tagger" if score is not None else "import",
                         origin="tagger" if score is not None else "file:example.txt"))
    return found


def caption_of(tmp_path, recipe_text: str, concept: str, text: str) -> str:
    path = tmp_path / "loraprep.toml"
    path.write_text(recipe_text, encoding="utf-8")
    recipe = load_recipe(path).for_concept(concept)
    given = parse_tags(text)
    stats = concept_stats([[t.name for t in given]], recipe.rules.core_frequency)  # a concept of this one image
    return render_caption(apply_rules(given, recipe, stats, seed_key="example.png"), recipe)


def flat(text: str) -> str:
    return " ".join(text.split())


def before_after_pairs() -> set[tuple[str, str, str]]:
    """(doc, tags, caption) of every ``before:`` / ``after:`` block in the docs."""
    shown = set()
    for doc in ("recipe.md", "formats.md"):
        text = (DOCS / doc).read_text(encoding="utf-8")
        for before, after in re.findall(r"^before: (.+)\nafter:  (.+)$", text, re.M):
            # a note after two or more spaces ("max_tags = 2", "(order = ...)") is not part of the tags
            shown.add((doc, re.split(r"\s{2,}", before)[0], re.split(r"\s{2,}", after)[0]))
    return shown


@pytest.mark.parametrize("example", EXAMPLES, ids=[e[0] for e in EXAMPLES])
def test_the_rules_write_the_caption_the_docs_show(tmp_path, example):
    _id, doc, recipe_text, concept, text, caption, quote = example
    assert caption_of(tmp_path, recipe_text, concept, text) == caption
    if quote == BEFORE_AFTER:
        assert (doc, text, caption) in before_after_pairs()
    else:
        assert flat(quote.format(tags=text, caption=caption)) in flat((DOCS / doc).read_text(encoding="utf-8"))


def test_every_before_after_pair_in_the_docs_is_produced_here():
    tested = {(e[1], e[4], e[5]) for e in EXAMPLES if e[6] == BEFORE_AFTER}
    assert before_after_pairs() == tested
