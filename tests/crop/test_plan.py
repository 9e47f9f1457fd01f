"""Which crops a picture's boxes give: margin, clipping, aspect limits, minimum size, each box or their union."""

from __future__ import annotations

from loraprep.crop.plan import plan_crops
from loraprep.model.recipe import CropSettings

EACH = CropSettings(margin=0.0, min_aspect=0.25, max_aspect=4.0)


def test_a_box_grows_by_its_margin_and_stays_inside_the_picture():
    [made] = plan_crops([(100, 50, 300, 450)], 1000, 800, CropSettings(margin=0.1), 64)
    assert made.box == (80, 10, 320, 490) and made.skipped is None
    [edge] = plan_crops([(0, 0, 200, 400)], 1000, 800, CropSettings(margin=0.25), 64)
    assert edge.box == (0, 0, 250, 500)


def test_a_too_narrow_box_is_widened_about_its_centre_and_shifted_off_the_edge():
    [made] = plan_crops([(10, 100, 60, 500)], 1000, 800, CropSettings(margin=0.0, min_aspect=0.5), 64)
    assert made.box == (0, 100, 200, 500) and made.skipped is None
    [wide] = plan_crops([(100, 300, 900, 400)], 1000, 800, CropSettings(margin=0.0, max_aspect=2.0), 64)
    assert wide.box == (100, 150, 900, 550)


def test_a_box_that_cannot_reach_the_aspect_inside_the_picture_is_skipped_with_a_reason():
    [skipped] = plan_crops([(0, 0, 600, 50)], 600, 200, CropSettings(margin=0.0, max_aspect=2.0), 16)
    assert skipped.skipped.startswith("aspect")


def test_small_crops_and_whole_picture_crops_are_counted_not_made():
    small, whole, fine = plan_crops([(0, 0, 100, 300), (0, 0, 980, 790), (500, 100, 900, 700)], 1000, 800, EACH, 256)
    assert small.skipped == "small: 100x300 < 256"
    assert whole.skipped == "covers the whole picture"
    assert fine.skipped is None and fine.box == (500, 100, 900, 700)


def test_union_mode_makes_one_crop_around_every_box_and_each_mode_drops_repeats():
    boxes = [(100, 100, 300, 500), (400, 150, 600, 520)]
    [union] = plan_crops(boxes, 1200, 900, CropSettings(mode="union", margin=0.0), 64)
    assert union.box == (100, 100, 600, 520)
    assert len(plan_crops(boxes + [boxes[0]], 1200, 900, EACH, 64)) == 2
    assert plan_crops([], 1200, 900, EACH, 64) == []
