"""Tag patterns: exact names (normalised), '*' wildcards (`* hair ornament`) and 're:' regular expressions."""

from __future__ import annotations

from loraprep.rules.patterns import PatternSet, compile_pattern


def test_exact_patterns_compare_after_normalising():
    match = compile_pattern("Hair_Ornament")
    assert match("hair ornament") and not match("star hair ornament")


def test_wildcards_match_whole_names():
    match = compile_pattern("* hair ornament")
    assert match("star hair ornament") and match("x hair ornament")
    assert not match("hair ornament") and not match("star hair ornaments")


def test_regex_searches():
    match = compile_pattern("re:^(bad|worst) ")
    assert match("bad hands") and not match("not bad hands")


def test_pattern_set_mixes_kinds_and_remembers_answers():
    patterns = PatternSet(["Watermark", "* background", "re:username$"])
    assert "watermark" in patterns and "white background" in patterns and "twitter username" in patterns
    assert "background" not in patterns and "smile" not in patterns
    assert "white background" in patterns                                # memoised answer, same result
    assert bool(patterns) and not bool(PatternSet([]))
    assert "x" not in PatternSet([])
