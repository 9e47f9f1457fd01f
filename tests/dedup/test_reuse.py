"""A find's fingerprint moves with every input it reads, and its groups survive the trip through plain rows."""

from __future__ import annotations

import json
from dataclasses import replace

import pytest

from loraprep.dedup import KeeperPolicy, UserDecisions, find_duplicate_groups
from loraprep.dedup.reuse import find_fingerprint, groups_from_rows, groups_to_rows
from tests.dedup.helpers import record
from tests.dedup.scenes import family, png, variant


@pytest.fixture(scope="module")
def records():
    base, mask, pose, dress, back = family(7)
    return [record(1, png(base)), record(2, *variant(base, mask, "jpeg60")), record(3, *variant(base, mask, "mirror")),
            record(4, png(pose), concept="other"), record(5, *variant(base, mask, "cutout"))]


def _fingerprint(records, **changes):
    settings = dict(threshold="default", across_concepts=False, decisions=UserDecisions(), policy=KeeperPolicy())
    settings.update(changes)
    return find_fingerprint(records, **settings)


def test_each_input_moves_the_fingerprint(records):
    same = _fingerprint(list(records))
    assert same == _fingerprint(records)
    changed = [
        _fingerprint(records, threshold="strict"),
        _fingerprint(records, threshold=2.0),
        _fingerprint(records, across_concepts=True),
        _fingerprint(records, decisions=UserDecisions(keep=frozenset({2}))),
        _fingerprint(records, decisions=UserDecisions(split=(frozenset({1, 2}),))),
        _fingerprint(records, decisions=UserDecisions(family={5: 1, 1: 1})),
        _fingerprint(records, policy=KeeperPolicy(tier_rank={"best": 3.0})),
        _fingerprint(records, policy=KeeperPolicy(order=("resolution", "file_size"))),
        _fingerprint(records[:-1]),
        _fingerprint(records[::-1]),
    ]
    for field, value in (("sha256", "f" * 64), ("concept", "moved"), ("width", 11), ("format", "WEBP"),
                         ("has_alpha", True), ("file_size", 1), ("tier", "best"), ("user_tags", True),
                         ("image_id", 99)):
        changed.append(_fingerprint([replace(records[0], **{field: value})] + records[1:]))
    assert same not in changed and len(set(changed)) == len(changed)
    assert _fingerprint(records, threshold="97%") == _fingerprint(records, threshold=3.0)    # one threshold, two spellings


def test_a_record_without_a_content_hash_is_known_by_its_descriptor(records):
    other = replace(records[0], sha256="", descriptor=records[3].descriptor)
    assert _fingerprint([replace(records[0], sha256="")]) != _fingerprint([other])


def test_groups_survive_plain_rows(records):
    groups = find_duplicate_groups(records)
    assert groups and sum(len(g.members) for g in groups) >= 2
    assert groups_from_rows(json.loads(json.dumps(groups_to_rows(groups)))) == groups
