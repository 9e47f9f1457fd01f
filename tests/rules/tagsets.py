"""Helpers for rule tests: tag builders, a realistic tag vocabulary, hypothesis strategies and sample recipes."""

from __future__ import annotations

from dataclasses import replace

from hypothesis import strategies as st

from loraprep.model.recipe import ORDERS, PRUNE_MODES, STRATEGIES, STYLES, ConceptRecipe, RuleSettings
from loraprep.model.tags import FRONT, Tag
from loraprep.rules.context import RuleContext


def tags(*names: str, **fields) -> tuple[Tag, ...]:
    """Tags from names, all with the same fields (source, score, ...)."""
    return tuple(Tag(name, **fields) for name in names)


def scored(*pairs: tuple[str, float]) -> tuple[Tag, ...]:
    """Tagger tags from (name, score) pairs."""
    return tuple(Tag(name, score=score) for name, score in pairs)


def names(tagset) -> list[str]:
    return [t.name for t in tagset]


def ctx(concept: ConceptRecipe | None = None, *, core=(), removed=(), seed_key: str = "", **rules) -> RuleContext:
    """A RuleContext for ``concept`` (default: the defaults) with rule settings changed by keyword."""
    concept = concept or ConceptRecipe(name="")
    if rules:
        concept = replace(concept, rules=replace(concept.rules, **rules))
    return RuleContext(concept, frozenset(core), frozenset(removed), seed_key)


# Tags a WD tagger really emits on character art, spelled both ways, with the overlap, alias, trait, meta and
# people-count cases the rules care about.
VOCAB = (
    "1girl", "2girls", "solo", "1boy", "multiple girls", "no humans",
    "long hair", "very long hair", "short hair", "medium hair", "hair", "black hair", "blonde hair", "red hair",
    "blue eyes", "red eyes", "closed eyes", "looking at viewer", "heterochromia",
    "bangs", "blunt bangs", "ponytail", "twintails", "hair ornament", "star hair ornament", "hairclip", "hair bow",
    "bow", "ribbon", "hair ribbon",
    "panties", "white panties", "frilled panties", "shirt", "white shirt", "orange shirt", "grey pants",
    "grey socks", "skirt", "pleated skirt", "school uniform", "uniform", "thighhighs", "black thighhighs",
    "pantyhose", "sneakers", "backpack", "halo",
    "freckles", "dark skin", "small breasts", "large breasts", "animal ears", "cat ears", "tail", "horns",
    "smile", "blush", "open mouth", "sitting", "standing", "cushion", "window", "tree", "classroom", "from above",
    "simple background", "white background", "outdoors", "sky", "blurry", "blurry background", "depth of field",
    "watermark", "signature", "artist name", "twitter username", "web address", "lowres", "english text",
    "kafka (honkai: star rail)", "honkai: star rail", "hatsune miku", "vocaloid", "^_^", ">_<", "holding", "cup", "santa hat", "hat",
)
# The tags the sample recipes name (aliases, overlap, fixed slots, triggers, protect): drawn often, so that the
# interesting interactions show up within a few dozen examples.
HOT = ("panties", "white panties", "frilled panties", "hair ornament", "star hair ornament", "uniform",
       "school uniform", "hat", "santa hat", "blurry", "1girl", "solo", "long hair", "very long hair", "hair",
       "blue eyes", "watermark", "cup", "smile", "mychar", "zetadef", "a", "b", "kafka (honkai: star rail)")
# Tagger categories of the character and copyright names above (the store's vocabulary; the rest is general).
CATEGORIES = {"kafka (honkai: star rail)": "character", "hatsune miku": "character",
              "honkai: star rail": "copyright", "vocaloid": "copyright"}
NAMES = st.one_of(st.sampled_from(HOT), st.sampled_from(VOCAB))
RAW_SPELLINGS = NAMES.flatmap(
    lambda n: st.sampled_from(sorted({n, n.replace(" ", "_"), n.upper(), f" {n} ", n.title()})))

SOURCES = st.sampled_from(["tagger", "tagger", "tagger", "import", "user", "rule"])


@st.composite
def tag_records(draw, raw: bool = False) -> Tag:
    name = draw(RAW_SPELLINGS if raw else NAMES)
    source = draw(SOURCES)
    score = draw(st.floats(0.35, 1.0, allow_nan=False)) if source == "tagger" else None
    pinned = source != "user" and draw(st.booleans()) and draw(st.booleans())
    origin = FRONT if source == "user" and draw(st.booleans()) else source  # some user tags added at the front
    return Tag(name, score=score, source=source, origin=origin, pinned=pinned)


def tag_sets(raw: bool = False, max_size: int = 40):
    """Random tag sets of one image; ``raw`` mixes in underscores, upper case and padding (before normalise)."""
    def unique(items):
        seen, out = set(), []
        for t in items:
            if t.name not in seen:
                seen.add(t.name)
                out.append(t)
        return tuple(out)
    if raw:
        return st.lists(tag_records(raw=True), max_size=max_size).map(tuple)
    return st.lists(tag_records(), max_size=max_size).map(unique)


# Recipes covering every rule's settings: the defaults, guide 000's consolidation (with a chain and a wildcard),
# guide 001's absorb / only-learned with blurry protected, guide 002's prune modes and sort modes, and
# guide 000/004's trigger + fixed outfit slot.
RECIPES = {
    "defaults": ConceptRecipe(name=""),
    "absorb": ConceptRecipe(
        name="a", trigger=("mychar",), fixed=("school uniform",), strategy="absorb",
        rules=RuleSettings(aliases=(("panties", "white panties"), ("white panties", "frilled panties"),
                                    ("* hair ornament", "hair ornament"), ("hat", "santa hat")),
                           protect=("blurry",), blacklist=("re:^blurry", "cup"), order="alphabetical",
                           max_tags=12)),
    "only-learned": ConceptRecipe(
        name="o", trigger=("zetadef",), strategy="only-learned",
        rules=RuleSettings(learned_categories=("hair color", "hair length", "hair style", "eye color", "clothing"),
                           protect=("blurry",), order="shuffle", seed=7, overlap_pairs=(("santa hat", ("hat",)),))),
    "character": ConceptRecipe(
        name="c", trigger=("a", "b"), keep_tokens=1, keep_tokens_separator="|||",
        rules=RuleSettings(prune_mode="character", drop_difficulty=1, order="original", max_tags=8)),
    "character_core": ConceptRecipe(
        name="k", rules=RuleSettings(prune_mode="character_core", learned=("smile",), order="score")),
    "none": ConceptRecipe(name="n", trigger=("style",), rules=RuleSettings(prune_mode="none", overlap=False)),
}
CORES = st.sets(st.sampled_from(VOCAB), max_size=12)
REMOVED = st.sets(NAMES, max_size=4)


# Mostly the few names the sample tag sets draw often, so aliases, overlaps, slots and removals meet.
RECIPE_NAMES = st.one_of(st.sampled_from(HOT), st.sampled_from(HOT), st.sampled_from(VOCAB))
PATTERNS = st.one_of(RECIPE_NAMES, st.sampled_from(["* hair ornament", "* panties", "*hair", "re:^blu", "re:eyes$", "* hat"]))


@st.composite
def recipes(draw) -> ConceptRecipe:
    small = lambda s, n: tuple(draw(st.lists(s, max_size=n)))  # noqa: E731
    rules = RuleSettings(
        default_blacklist=draw(st.booleans()), blacklist=small(PATTERNS, 3), protect=small(PATTERNS, 2),
        aliases=small(st.tuples(PATTERNS, RECIPE_NAMES), 4), overlap=draw(st.booleans()),
        overlap_pairs=tuple((k, tuple(v)) for k, v in draw(
            st.dictionaries(RECIPE_NAMES, st.lists(RECIPE_NAMES, max_size=3), max_size=3)).items()),
        learned=small(RECIPE_NAMES, 3), absorb_core=draw(st.booleans()), prune_mode=draw(st.sampled_from(PRUNE_MODES)),
        drop_difficulty=draw(st.integers(0, 3)), order=draw(st.sampled_from(ORDERS)), seed=draw(st.integers(0, 5)),
        max_tags=draw(st.integers(1, 40)), style=draw(st.sampled_from(STYLES)))
    return ConceptRecipe(name="c", trigger=tuple(dict.fromkeys(small(RECIPE_NAMES, 2))),
                         fixed=tuple(dict.fromkeys(small(RECIPE_NAMES, 2))), strategy=draw(st.sampled_from(STRATEGIES)),
                         keep_tokens=draw(st.one_of(st.none(), st.integers(0, 4))),
                         keep_tokens_separator=draw(st.sampled_from([None, "|||"])), rules=rules)
