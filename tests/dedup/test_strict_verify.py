"""Stricter verification: cut-outs keep their picture's own pixels, recoloured outfits and inner changes are other pictures."""

from __future__ import annotations

import io
import numpy as np
import pytest
from PIL import Image, ImageDraw, ImageOps

from loraprep.dedup import describe_bytes, find_duplicate_groups
from loraprep.dedup.verify import compare
from tests.dedup.helpers import grouping, record
from tests.dedup.scenes import family, png, recoloured, variant


def _cutout(img: Image.Image, mask: Image.Image) -> bytes:
    return variant(img, mask, "cutout")[0]


@pytest.fixture(scope="module")
def scenes():
    return [family(seed) for seed in (3, 13, 16)]   # 13, 16: the cut-out matched a look-alike before


def test_cutout_is_not_the_same_character_on_another_background(scenes):
    """Inside the opaque area the character agrees; it stands a little elsewhere with its arms moved."""
    for i, (base, mask, pose, dress, back) in enumerate(scenes):
        recs = [record("cut", _cutout(base, mask)), record("back", png(back)), record("pose", png(pose)),
                record("dress", png(dress))]
        assert find_duplicate_groups(recs) == [], i


def test_cutout_still_matches_its_picture_mirrored_and_re_encoded(scenes):
    base, mask, *_ = scenes[0]
    mirrored = ImageOps.mirror(base)
    buf = io.BytesIO()
    mirrored.save(buf, "JPEG", quality=60)
    recs = [record("cut", _cutout(base, mask)), record("mirror-jpeg", buf.getvalue(), "JPEG")]
    (group,) = find_duplicate_groups(recs)
    assert group.keeper_id == "mirror-jpeg"
    assert "alpha cut-out" in group.members[0].why and "mirrored" in group.members[0].why


def _gradient(top, bottom, size=(400, 300)) -> Image.Image:
    t = np.linspace(0.0, 1.0, size[1])[:, None, None]
    arr = (1 - t) * np.array(top, float) + t * np.array(bottom, float)
    return Image.fromarray(np.broadcast_to(arr, (size[1], size[0], 3)).astype(np.uint8), "RGB")


def test_flat_cutout_does_not_match_another_colour_or_brightness():
    """A grey patch is no piece of a dark blue sky, even though a brightness fit could map one onto the other."""
    from loraprep.dedup.cutout_verify import cutout_distance

    mask = Image.new("L", (400, 300), 0)
    ImageDraw.Draw(mask).ellipse((120, 60, 280, 240), fill=255)
    grey = _gradient((150, 150, 150), (110, 110, 110))
    sky = _gradient((30, 40, 90), (10, 20, 60))
    cut = describe_bytes(_cutout(grey, mask))
    assert cutout_distance(cut, describe_bytes(png(sky)))[0] > 10
    assert cutout_distance(cut, describe_bytes(png(grey)))[0] == 0.0


def test_two_cutouts_match_only_with_the_same_shape_and_pixels(scenes):
    from loraprep.dedup.cutout_verify import cutouts_distance

    (base, mask, *_), (other, other_mask, *_) = scenes[0], scenes[1]
    cut = describe_bytes(_cutout(base, mask))
    assert cutouts_distance(cut, describe_bytes(_cutout(base, mask)))[0] == 0.0
    flipped = describe_bytes(_cutout(ImageOps.mirror(base), ImageOps.mirror(mask)))
    assert cutouts_distance(cut, flipped) == (0.0, True)
    assert cutouts_distance(cut, describe_bytes(_cutout(other, other_mask)))[0] > 10
    # the same picture cut along another outline is another cut-out
    round_mask = Image.new("L", base.size, 0)
    ImageDraw.Draw(round_mask).ellipse((40, 40, base.width - 40, base.height - 40), fill=255)
    assert cutouts_distance(cut, describe_bytes(_cutout(base, round_mask)))[0] > 10
    recs = [record("a", _cutout(base, mask)), record("b", _cutout(other, other_mask))]
    assert find_duplicate_groups(recs) == []


@pytest.mark.parametrize("part, seed", [("top", 1), ("top", 7), ("top", 10), ("bottom", 3), ("bottom", 9)])
def test_recoloured_outfit_part_is_another_picture(part, seed):
    a, b = recoloured(seed, part)
    verdict = compare(describe_bytes(png(a)), describe_bytes(png(b)))
    assert verdict.distance > 2.5, verdict
    assert find_duplicate_groups([record("a", png(a)), record("b", png(b))]) == []


def test_a_change_inside_the_picture_counts_double_at_its_border():
    """A signature in a corner keeps the picture; the same change in the middle is a change of content."""
    from loraprep.dedup.verify import changed_share

    corner, inside = np.zeros((32, 32), bool), np.zeros((32, 32), bool)
    corner[1:3, 1:5] = True
    inside[14:16, 14:18] = True
    assert changed_share(corner) == pytest.approx(8 / 1024)
    assert changed_share(inside) == pytest.approx(2 * 8 / 1024)


def test_groups_of_a_mixed_set(scenes):
    """Each character's cut-out joins its own picture, not a look-alike standing elsewhere."""
    recs = []
    for i, (base, mask, pose, dress, back) in enumerate(scenes):
        recs += [record(f"base{i}", png(base)), record(f"cut{i}", _cutout(base, mask)), record(f"back{i}", png(back))]
    by = grouping(find_duplicate_groups(recs))
    for i in range(len(scenes)):
        assert by.get(f"cut{i}") == f"base{i}", by
        assert f"back{i}" not in by, by
