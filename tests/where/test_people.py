"""`npeople` in selection expressions: person boxes compared like tags>N; never-detected images never match."""

from __future__ import annotations

import pytest

from loraprep.errors import UsageError
from loraprep.where.select import ImageView, parse_where


def _view(n):
    return ImageView(name="a.png", concept="", tier="", status="active", tags=frozenset({"npeople"}), scores={},
                     npeople=n)


@pytest.mark.parametrize("expr, selected", [("npeople>1", [2, 3]), ("npeople=1", [1]), ("npeople<=1", [0, 1]),
                                            ("NOT npeople>=2", [None, 0, 1]), ('"npeople"', [None, 0, 1, 2, 3])])
def test_people_counts_compare_and_parse_back(expr, selected):
    predicate = parse_where(expr)
    assert [n for n in (None, 0, 1, 2, 3) if predicate(_view(n))] == selected
    assert parse_where(str(predicate)) == predicate


def test_a_count_needs_a_whole_number():
    with pytest.raises(UsageError):
        parse_where("npeople>1.5")
