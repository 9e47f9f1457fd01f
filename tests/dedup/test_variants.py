"""Every variant kind is found as a duplicate of its base; every hard negative stays apart."""

from __future__ import annotations

import pytest

from loraprep.dedup import find_duplicate_groups
from tests.dedup.helpers import grouping, record
from tests.dedup.scenes import family, png, variant

KINDS = ["resize", "jpeg60", "crop", "bright", "dark", "mirror", "cutout", "watermark", "webp"]
WHY = {"mirror": "mirrored", "crop": "cropped", "cutout": "alpha cut-out", "webp": "exact pixels", "resize": "resized"}


@pytest.fixture(scope="module")
def families():
    return [family(seed) for seed in (3, 11)]


@pytest.mark.parametrize("kind", KINDS)
def test_variant_is_a_duplicate_of_its_base(families, kind):
    for base, mask, *_ in families:
        data, fmt = variant(base, mask, kind)
        recs = [record("base", png(base)), record(kind, data, fmt)]
        groups = find_duplicate_groups(recs)
        assert len(groups) == 1, kind
        (group,) = groups
        (member,) = group.members
        assert {group.keeper_id, member.image_id} == {"base", kind} and member.exclude
        if kind in ("resize", "jpeg60", "crop", "cutout"):      # lower resolution, lossy or alpha: never the keeper
            assert group.keeper_id == "base"
        if kind in WHY:
            assert WHY[kind] in member.why
        assert member.reason.startswith(f"duplicate of {group.keeper_id} ({member.why}, distance ")


def test_all_variants_form_one_group(families):
    base, mask, *_ = families[0]
    recs = [record("base", png(base))] + [record(k, *variant(base, mask, k)) for k in KINDS]
    groups = find_duplicate_groups(recs)
    assert len(groups) == 1
    assert {groups[0].keeper_id} | {m.image_id for m in groups[0].members} == set(KINDS) | {"base"}


def test_hard_negatives_stay_apart(families):
    for i, (base, mask, pose, dress, back) in enumerate(families):
        recs = [record("base", png(base)), record("pose", png(pose)), record("outfit", png(dress)),
                record("background", png(back)), record("cutout", *variant(base, mask, "cutout"))]
        by = grouping(find_duplicate_groups(recs))
        assert by.get("pose") is None and by.get("outfit") is None and by.get("background") is None, (i, by)
        assert by.get("cutout") == "base"


def test_palette_sharing_flat_images_stay_apart():
    import random

    from benchmarks import dedup_draw as draw

    rng = random.Random(5)
    palette = rng.sample(draw.PALETTE, 5)
    recs = [record(f"p{i}", png(draw.palette_composition(random.Random(i), (256, 256), palette))) for i in range(12)]
    assert find_duplicate_groups(recs) == []


def test_near_blank_images_are_only_exact_duplicates():
    import random

    from benchmarks import dedup_draw as draw

    blanks = [png(draw.near_blank(random.Random(i), (256, 256))) for i in range(8)]
    recs = [record(f"b{i}", data) for i, data in enumerate(blanks)] + [record("copy", blanks[0])]
    groups = find_duplicate_groups(recs)
    assert len(groups) == 1
    assert {groups[0].keeper_id, groups[0].members[0].image_id} == {"b0", "copy"}
    assert groups[0].members[0].why == "exact bytes"
