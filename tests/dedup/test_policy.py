"""Keeper policy, reasons, thresholds, user decisions, concepts, and grouping without chaining."""

from __future__ import annotations

import pytest

from loraprep.dedup import KeeperPolicy, UserDecisions, find_duplicate_groups, group_id_for, resolve_threshold
from loraprep.dedup.group import star_groups
from loraprep.dedup.policy import reason
from loraprep.errors import UsageError
from tests.dedup.helpers import grouping, record
from tests.dedup.scenes import family, png, variant


@pytest.fixture(scope="module")
def copies():
    base, mask, *_ = family(3)
    big = base.resize((640, 640))
    return {"small": record("small", png(base)), "big": record("big", png(big)),
            "jpeg": record("jpeg", *variant(big, mask.resize((640, 640)), "jpeg60")),
            "cut": record("cut", *variant(big, mask.resize((640, 640)), "cutout"))}


def test_keeper_is_highest_resolution_then_no_alpha_then_lossless(copies):
    groups = find_duplicate_groups(list(copies.values()))
    assert len(groups) == 1 and groups[0].keeper_id == "big"
    assert groups[0].group_id == group_id_for("big")
    no_big = [r for k, r in copies.items() if k != "big"]
    # cut (alpha, 640) vs jpeg (lossy, 640): no alpha wins first
    assert find_duplicate_groups(no_big)[0].keeper_id == "jpeg"
    lossless_first = KeeperPolicy(order=("resolution", "lossless", "no_alpha", "file_size", "tier"))
    assert find_duplicate_groups(no_big, policy=lossless_first)[0].keeper_id == "cut"


def test_tier_breaks_ties():
    base, *_ = family(11)
    a, b = record("a", png(base), tier="normal"), record("b", png(base), tier="best")
    policy = KeeperPolicy(tier_rank={"best": 2, "normal": 1})
    assert find_duplicate_groups([a, b], policy=policy)[0].keeper_id == "b"
    assert find_duplicate_groups([a, b])[0].keeper_id == "a"          # no ranks: stable by id


def test_reason_text():
    assert reason("abc", "near: mirrored", 1.5) == "duplicate of abc (near: mirrored, distance 1.5)"


def test_user_keep_and_split_are_respected_on_every_run(copies):
    recs = list(copies.values())
    kept = find_duplicate_groups(recs, decisions=UserDecisions(keep=frozenset({"jpeg"})))
    assert "jpeg" not in {m.image_id for g in kept for m in g.members}
    assert any(g.keeper_id == "jpeg" for g in kept)
    group = find_duplicate_groups(recs)[0]
    split = UserDecisions(split=(frozenset({group.keeper_id, *(m.image_id for m in group.members)}),))
    for _ in range(2):                                 # the decision is an input: a re-run gives the same answer
        assert find_duplicate_groups(recs, decisions=split) == []


def test_thresholds():
    assert resolve_threshold("default") == resolve_threshold("DEFAULT") > resolve_threshold("strict")
    assert resolve_threshold("3.5") == 3.5 and resolve_threshold(1) == 1.0
    for bad in ("bogus", -1, 101):
        with pytest.raises(UsageError):
            resolve_threshold(bad)


def test_threshold_zero_keeps_only_exact(copies):
    groups = find_duplicate_groups(list(copies.values()) + [record("big2", png_bytes_of(copies))], threshold=0)
    assert grouping(groups) == {"big": "big", "big2": "big"}


def png_bytes_of(copies):
    """The bytes of a second, identical 640 px copy of the family's base (a pixel-exact twin of "big")."""
    from PIL import Image

    base, *_ = family(3)
    return png(base.resize((640, 640), Image.Resampling.BICUBIC))


def test_concepts(copies):
    base, *_ = family(11)
    data = png(base)
    a, b = record("a", data, concept="casual"), record("b", data, concept="armor")
    (group,) = find_duplicate_groups([a, b])
    assert group.members[0].why == "exact bytes" and not group.members[0].exclude
    assert find_duplicate_groups([a, b], across_concepts=True)[0].members[0].exclude
    big, small = copies["big"], copies["small"]
    from dataclasses import replace

    split = [replace(big, concept="x"), replace(small, concept="y")]
    assert find_duplicate_groups(split) == []          # near copies across concepts are left alone
    assert len(find_duplicate_groups(split, across_concepts=True)) == 1


def test_no_chaining():
    # A~B, B~C, A!~C: C must not join A's group through B
    near = {(0, 1), (1, 2)}
    accept = lambda k, m: "ok" if (min(k, m), max(k, m)) in near else None  # noqa: E731
    groups = star_groups([0, 1, 2], {0: {1}, 1: {0, 2}, 2: {1}}, accept)
    assert groups == [(0, [(1, "ok")])]
    assert all(2 not in [m for m, _ in members] for _, members in groups)


def test_file_size_is_no_sign_of_quality_the_captioned_copy_wins_the_tie():
    from types import SimpleNamespace as Item

    def item(image_id, fmt, size, user_tags=False, width=512):
        return Item(image_id=image_id, width=width, height=512, has_alpha=False, format=fmt, file_size=size, tier="",
                    user_tags=user_tags)

    policy = KeeperPolicy()
    # a watermark makes a PNG larger without making it better
    pngs = [item("b-watermarked", "PNG", 900_000), item("a-plain", "PNG", 700_000)]
    assert min(pngs, key=policy.rank_key).image_id == "a-plain"
    # a q97 re-save of a q85 JPEG is bigger, not better: the hand-captioned original stays
    jpegs = [item("a-repost-q97", "JPEG", 300_000), item("b-orig-q85", "JPEG", 90_000, user_tags=True)]
    assert min(jpegs, key=policy.rank_key).image_id == "b-orig-q85"
    assert min(jpegs + pngs, key=policy.rank_key).image_id == "a-plain"  # lossless first, as before
    # the pixels still come first: a larger copy wins over a captioned smaller one (its caption is carried)
    bigger = item("z-big", "JPEG", 1, width=1024)
    assert min([*jpegs, bigger], key=policy.rank_key).image_id == "z-big"
    # file size stays available for a custom order
    by_size = KeeperPolicy(order=("resolution", "lossless", "file_size"))
    assert min(jpegs, key=by_size.rank_key).image_id == "a-repost-q97"


@pytest.mark.parametrize("given,changed", [("97", 3.0), (97, 3.0), ("97%", 3.0), ("95.5%", 4.5), (100, 0.0),
                                           ("60%", 40.0), ("3", 3.0)])
def test_a_dupeguru_hardness_is_read_as_a_similarity_percentage(given, changed):
    assert resolve_threshold(given) == pytest.approx(changed)


@pytest.mark.parametrize("bad", [101, "140", "-3%", "49%", "abc%"])
def test_similarity_out_of_range_says_how_to_translate(bad):
    with pytest.raises(UsageError) as info:
        resolve_threshold(bad)
    assert "similar" in (info.value.hint or "") or "similar" in str(info.value)
