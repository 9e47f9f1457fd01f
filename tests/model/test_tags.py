"""Tag and Dropped: frozen records with provenance."""

from __future__ import annotations

import dataclasses

import pytest

from loraprep.model.tags import SOURCES, Dropped, Tag


def test_defaults_describe_a_tagger_tag():
    tag = Tag("smile", score=0.8)
    assert (tag.category, tag.source, tag.origin, tag.pinned) == ("general", "tagger", "tagger", False)
    assert not tag.by_user
    assert set(SOURCES) == {"tagger", "import", "user", "rule"}


@pytest.mark.parametrize("tag, by_user", [
    (Tag("a", source="user", origin="user"), True),
    (Tag("a", pinned=True), True),
    (Tag("a", source="import", origin="file:x.txt"), False),
    (Tag("a", source="rule", origin="rule:trigger"), False),
])
def test_by_user(tag, by_user):
    assert tag.by_user is by_user


def test_frozen_and_hashable():
    tag = Tag("smile")
    with pytest.raises(dataclasses.FrozenInstanceError):
        tag.name = "x"
    assert len({tag, Tag("smile"), Tag("smile", score=0.5)}) == 2
    dropped = Dropped(tag, "blacklist", "blacklisted")
    assert dropped.tag is tag and dropped == Dropped(Tag("smile"), "blacklist", "blacklisted")
    with pytest.raises(dataclasses.FrozenInstanceError):
        dropped.rule = "x"
