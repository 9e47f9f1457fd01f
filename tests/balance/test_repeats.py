"""Repeats balancing against the guides' examples."""

from __future__ import annotations

import pytest

from loraprep.balance.repeats import RepeatsRequest, balance_repeats, round_half_up


def repeats(requests, **kw):
    return [d.repeats for d in balance_repeats(requests, **kw)]


def test_guide_004_multi_outfit_example():
    # 20/33/100/50 images -> 5/3/1/2 repeats, about 100 samples each.
    counts = [20, 33, 100, 50]
    assert repeats([RepeatsRequest(f"outfit{i}", "", n) for i, n in enumerate(counts)]) == [5, 3, 1, 2]


def test_guide_003_primary_and_supporting_tiers():
    # 58 primaries x5 and 164 supporting x1: the primaries get about double the influence.
    got = repeats([RepeatsRequest("brandy", "primary", 58), RepeatsRequest("brandy", "supporting", 164)])
    assert got == [5, 1]


def test_concept_weight_doubles_a_share():
    got = repeats([RepeatsRequest("a", "", 50, weight=2.0), RepeatsRequest("b", "", 50)])
    assert got == [2, 1]


def test_tiers_count_towards_their_concept_size():
    # Concept a weighs 10x5 + 50 = 100 units, b 100 images: both get 1 repeat per unit of tier weight.
    got = repeats([RepeatsRequest("a", "primary", 10), RepeatsRequest("a", "supporting", 50),
                   RepeatsRequest("b", "", 100)])
    assert got == [5, 1, 1]


def test_override_is_kept_and_left_out_of_the_balance():
    decisions = balance_repeats([RepeatsRequest("a", "", 10, override=7), RepeatsRequest("b", "", 20),
                                 RepeatsRequest("c", "", 40)])
    assert [(d.repeats, d.source) for d in decisions] == [(7, "override"), (2, "balanced"), (1, "balanced")]


def test_tiny_concept_is_capped():
    decisions = balance_repeats([RepeatsRequest("big", "", 1000), RepeatsRequest("tiny", "", 5)], max_repeats=30)
    assert [(d.repeats, d.source) for d in decisions] == [(1, "balanced"), (30, "capped")]


def test_empty_group_gets_zero():
    decisions = balance_repeats([RepeatsRequest("a", "", 0), RepeatsRequest("b", "", 10)])
    assert [(d.repeats, d.source) for d in decisions] == [(0, "empty"), (1, "balanced")]


def test_unknown_tier_counts_as_one():
    assert repeats([RepeatsRequest("a", "best", 10), RepeatsRequest("a", "", 10)]) == [1, 1]


def test_round_half_up():
    assert [round_half_up(x) for x in (0.5, 1.5, 2.5, 2.49)] == [1, 2, 3, 2]


def test_bad_weight():
    with pytest.raises(ValueError):
        balance_repeats([RepeatsRequest("a", "", 10, weight=0)])
