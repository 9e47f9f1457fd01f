"""Selection expressions: every term and operator, precedence, quoting, normalisation, errors with columns."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from loraprep.errors import UsageError
from loraprep.where.select import ImageView, Predicate, matches, parse_where, referenced_tags


def view(*tags: str, name="outfit_armor/001.png", concept="outfit_armor", tier="main", status="active",
         scores=None, pinned=(), small=False) -> ImageView:
    return ImageView(name=name, concept=concept, tier=tier, status=status, tags=frozenset(tags),
                     scores=dict(scores or {}), pinned=frozenset(pinned), small=small)


RED = view("red hair", "smile", "1girl", scores={"blurry": 0.7, "red hair": 0.9})
HAT = view("hat", "smile", name="casual/Photo_002.JPG", concept="casual", tier="extra", scores={"blurry": 0.2})
BARE = view(name="x/empty.png", concept="", status="failed", small=True)


# ---- terms --------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("expr", ["smile", "SMILE", '"red hair"', "'red hair'", "red_hair", "Red_Hair", '"red_hair"'])
def test_a_tag_matches_in_any_spelling(expr):
    assert matches(expr, RED)
    assert not matches(expr, BARE)


def test_a_tag_matches_whole_names_only():
    assert not matches("red", RED)
    assert not matches("hair", RED)


@pytest.mark.parametrize("expr, tag", [
    ("^_^", "^_^"), ('"^_^"', "^_^"), (">_<", ">_<"), ("(o)_(o)", "(o)_(o)"), ("||_||", "||_||"),
    ("star_(symbol)", "star (symbol)"), ("'star (symbol)'", "star (symbol)"), ('"star \\(symbol\\)"', "star (symbol)"),
    ("score(star_(symbol))>0.5", "star (symbol)"), (":d", ":d"), ("jack-o'-lantern", "jack-o'-lantern"),
    ('"say \\"hi\\""', 'say "hi"'), ('"tags"', "tags"), ('"and"', "and"),
])
def test_kaomoji_parentheses_and_quotes_stay_part_of_the_tag(expr, tag):
    assert referenced_tags(expr) == {tag}
    assert matches(expr, view(tag, scores={tag: 0.9}))
    assert not matches(expr, view("other", scores={"other": 0.9}))


@pytest.mark.parametrize("expr, selected", [
    ("concept:outfit_armor", {"red"}), ("concept:OUTFIT_ARMOR", {"red"}), ('concept:"casual"', {"hat"}),
    ('concept:""', {"bare"}), ("tier:extra", {"hat"}), ("tier:'main'", {"red", "bare"}),
    ("status:active", {"red", "hat"}), ("status:FAILED", {"bare"}), ("status:excluded", set()),
    ("name:photo_002", {"hat"}), ("name:.png", {"red", "bare"}), ('name:"armor/0"', {"red"}),
    ("untagged", {"bare"}), ("small", {"bare"}), ("pinned:smile", {"hat"}), ("pinned:Red_Hair", set()),
])
def test_field_terms(expr, selected):
    hat = view(*HAT.tags, name=HAT.name, concept=HAT.concept, tier=HAT.tier, pinned={"smile"})
    bare = view(name=BARE.name, concept="", tier="main", status="failed", small=True)
    images = {"red": RED, "hat": hat, "bare": bare}
    assert {key for key, image in images.items() if matches(expr, image)} == selected


@pytest.mark.parametrize("expr, counts", [
    ("tags>2", {3}), ("tags<2", {0}), ("tags>=2", {2, 3}), ("tags<=2", {0, 2}), ("tags=2", {2}),
    ("tags > 2", {3}), ("TAGS>=0", {0, 2, 3}), ("tags<-1", set()),
])
def test_tag_count_comparisons(expr, counts):
    assert {len(v.tags) for v in (RED, HAT, BARE) if matches(expr, v)} == counts


@pytest.mark.parametrize("expr, selected", [
    ('score("blurry")>0.6', {"red"}), ("score(blurry) >= 0.7", {"red"}), ("score('blurry')<0.6", {"hat", "bare"}),
    ("score(blurry) <= 0.2", {"hat", "bare"}), ("score( blurry )>0.1", {"red", "hat"}), ("SCORE(Blurry)>.5", {"red"}),
    ("blurry>0.6", {"red"}), ("blurry > 0.6", {"red"}), ('"blurry" <= 0.2', {"hat", "bare"}),
    ("score(red_hair)>0.8", {"red"}), ("score(missing)<0.01", {"red", "hat", "bare"}), ("score(missing)>0", set()),
    ("score(blurry)>=0", {"red", "hat", "bare"}),
])
def test_score_comparisons_and_a_missing_score_counts_as_zero(expr, selected):
    images = {"red": RED, "hat": HAT, "bare": BARE}
    assert {key for key, image in images.items() if matches(expr, image)} == selected


def test_a_tag_next_to_a_face_is_not_a_comparison():
    assert str(parse_where("hat >_<")) == 'hat AND ">_<"'
    assert str(parse_where("<3")) == '"<3"'


# ---- operators ----------------------------------------------------------------------------------------------
@pytest.mark.parametrize("expr", ['"red hair" AND smile', '"red hair" and smile', '"red hair" && smile',
                                  '"red hair"&&smile', '"red hair" smile', '"red hair"smile', "red_hair  smile"])
def test_and_in_every_spelling(expr):
    assert matches(expr, RED)
    assert not matches(expr, HAT)
    assert str(parse_where(expr)) == '"red hair" AND smile'


@pytest.mark.parametrize("expr", ["hat OR red_hair", "hat or red_hair", "hat || red_hair", "hat||red_hair"])
def test_or_in_every_spelling(expr):
    assert matches(expr, RED) and matches(expr, HAT)
    assert not matches(expr, BARE)


@pytest.mark.parametrize("expr", ["NOT hat", "not hat", "!hat", "! hat", "-hat", "NOT(hat)", "not (hat)"])
def test_not_in_every_spelling(expr):
    assert matches(expr, RED)
    assert not matches(expr, HAT)


def test_double_negation():
    assert matches("NOT NOT hat", HAT) and matches("--hat", HAT) and not matches("!!hat", RED)


@pytest.mark.parametrize("expr, selected", [
    ("hat OR smile AND red_hair", {"red", "hat"}),  # AND binds tighter than OR
    ("(hat OR smile) AND red_hair", {"red"}),
    ("NOT hat AND smile", {"red"}),  # NOT binds tighter than AND
    ("NOT (hat AND smile)", {"red", "bare"}),
    ("-hat smile", {"red"}),
    ("-(hat OR red_hair)", {"bare"}),
    ("smile red_hair OR untagged", {"red", "bare"}),
    ("smile (red_hair OR untagged)", {"red"}),
    ("NOT(hat OR cap) and(smile or cap)", {"red"}),
    ("((hat))", {"hat"}),
])
def test_precedence_and_parentheses(expr, selected):
    images = {"red": RED, "hat": HAT, "bare": BARE}
    assert {key for key, image in images.items() if matches(expr, image)} == selected


def test_the_issue_example():
    expr = 'concept:outfit_armor AND "red hair" AND NOT hat'
    assert matches(expr, RED)
    assert not matches(expr, view("red hair", "hat"))
    assert not matches(expr, view("red hair", concept="casual"))


def test_a_long_chain_of_terms_does_not_nest_closures():
    tags = [f"t{i}" for i in range(2000)]
    assert matches(" ".join(tags), view(*tags))
    assert not matches(" ".join(tags), view(*tags[:-1]))
    assert matches(" OR ".join(tags), view("t1999"))


def test_deep_nesting_is_a_usage_error_not_a_crash():
    with pytest.raises(UsageError, match="nested too deeply"):
        parse_where("(" * 5000 + "hat" + ")" * 5000)


# ---- empty, API, canonical text -----------------------------------------------------------------------------
@pytest.mark.parametrize("expr", ["", "   ", "\t\n"])
def test_an_empty_expression_selects_everything(expr):
    assert all(matches(expr, v) for v in (RED, HAT, BARE))
    assert str(parse_where(expr)) == ""
    assert referenced_tags(expr) == set()


def test_predicate_is_callable_readable_and_selects():
    predicate = parse_where("smile -hat")
    assert isinstance(predicate, Predicate)
    assert predicate(RED) and not predicate(HAT)
    assert predicate.select([HAT, RED, BARE]) == [RED]
    assert str(predicate) == "smile AND NOT hat"
    assert repr(predicate) == "Predicate('smile AND NOT hat')"
    assert predicate == parse_where("smile AND NOT hat") and predicate != parse_where("smile")


@pytest.mark.parametrize("expr", [
    'concept:outfit_armor AND "red hair" AND NOT hat', "a OR b c", "(a OR b) c", "NOT (a OR b) OR -c",
    'score("blurry")>0.6 tags<=3 untagged small', "name:'My File' status:excluded tier:\"\" pinned:x_y",
    '"^_^" OR star_(symbol) OR "say \\"hi\\"" OR "back\\\\slash"', "a AND (b OR (c AND NOT d))", '"and" "tags" "or"',
])
def test_canonical_text_parses_back_to_the_same_predicate(expr):
    predicate = parse_where(expr)
    again = parse_where(str(predicate))
    assert again == predicate and str(again) == str(predicate)


def test_referenced_tags_lists_plain_score_and_pinned_tags():
    expr = 'concept:armor Red_Hair -hat score("Blurry")>0.5 pinned:smile name:cat untagged'
    assert referenced_tags(expr) == {"red hair", "hat", "blurry", "smile"}


def test_normalised_view_spells_tags_as_expressions_do():
    raw = view("Red_Hair", "^_^", scores={"Blurry": 0.9}, pinned={"Long_Hair"})
    assert not matches("red_hair", raw)
    assert matches('red_hair "^_^" score(blurry)>0.5 pinned:long_hair', raw.normalised())


# ---- errors -------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("expr, column, says", [
    ('"red hair', 1, "quote is never closed"),
    ("smile 'red hair", 7, "quote is never closed"),
    ("(hat OR smile", 1, "'(' is never closed"),
    ("smile (hat OR (cap)", 7, "'(' is never closed"),
    ("hat)", 4, "closes no '('"),
    ("()", 2, "expected a term inside"),
    ("hat AND", 8, "expected a term after 'AND', found the end"),
    ("hat OR OR smile", 8, "expected a term after 'OR', found 'OR'"),
    ("(hat OR)", 8, "expected a term after 'OR', found ')'"),
    ("AND hat", 1, "expected a term before 'AND'"),
    ("hat NOT", 8, "expected a term after 'NOT'"),
    ("smile -", 8, "expected a term after '-'"),
    ('"red hair" concept:', 20, "expected a value after 'concept:'"),
    ("tier: x", 6, "expected a value after 'tier:'"),
    ("status:gone", 8, "expected active, excluded or failed"),
    ("tags>x", 6, "expected a whole number after 'tags>'"),
    ("tags>=2.5", 7, "expected a whole number"),
    ("tags<", 6, "found nothing"),
    ("score(blurry)>abc", 15, "expected a number after 'score(blurry)>'"),
    ("score(blurry) > nan", 17, "expected a number"),
    ("blurry>0.6x", 8, "expected a number after 'blurry>'"),
    ("score(blurry)", 14, "expected a comparison after score(blurry)"),
    ("score(blurry)=0.5", 14, "not '='"),
    ("score(blurry", 6, "'score(' is never closed"),
    ("score()>0.5", 7, "expected a tag inside score()"),
    ("source:user", 1, "not supported"),
])
def test_syntax_errors_name_the_column_and_what_was_expected(expr, column, says):
    with pytest.raises(UsageError) as caught:
        parse_where(expr)
    assert str(caught.value).startswith(f"bad filter at column {column}: ")
    assert says in str(caught.value)
    assert "concept:armor" in caught.value.hint  # an example to copy
    assert caught.value.exit_code == 2


# ---- against a reference evaluation -------------------------------------------------------------------------
NAMES = ("a", "b", "c")
_leaf = st.sampled_from(NAMES).map(lambda n: (n, n))
_tree = st.recursive(_leaf, lambda sub: st.one_of(
    sub.map(lambda x: (f"NOT ({x[0]})", f"(not {x[1]})")),
    st.tuples(sub, sub, st.sampled_from([("AND", "and"), ("&&", "and"), ("", "and"), ("OR", "or"), ("||", "or")]))
    .map(lambda t: (f"({t[0][0]}) {t[2][0]} ({t[1][0]})", f"({t[0][1]} {t[2][1]} {t[1][1]})")),
), max_leaves=8)


@settings(max_examples=150, deadline=None)
@given(_tree, st.sets(st.sampled_from(NAMES)))
def test_any_expression_agrees_with_python(pair, present):
    expr, python = pair
    expected = eval(python, {}, {n: n in present for n in NAMES})  # noqa: S307 - built from three fixed names
    assert matches(expr, view(*present)) == expected
    assert matches(str(parse_where(expr)), view(*present)) == expected  # and the canonical text means the same
