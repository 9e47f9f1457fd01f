"""The editor's crop boxes through the workspace: add, accept, move, delete, each one batch that undo takes back."""

from __future__ import annotations

import random

import pytest

from loraprep import ops
from loraprep.errors import NotFoundError, UsageError
from loraprep.ops.crop_edits import crop_boxes, edit_crop
from loraprep.ops.workspace import Workspace

from tests.detect.conftest import TINY_DETECTOR, draw, figures


@pytest.fixture
def ws(tmp_path):
    root = tmp_path / "d"
    draw(root / "team" / "two.png", figures.random_figures(random.Random(8), 1200, 800, 2, radius=(0.18, 0.2)))
    ops.scan(root)
    ops.detect(root, model=str(TINY_DETECTOR), device="cpu")
    with Workspace(root) as workspace:
        yield workspace


def _source(ws):
    return next(f.id for f in ws.files() if f.path == "team/two.png")


def _active_crops(ws, fid):
    return [(c["box"], c["what"]) for c in crop_boxes(ws, fid)["crops"] if c["status"] == "active"]


def test_boxes_show_what_the_detector_found_and_accepting_one_makes_a_crop(ws):
    fid = _source(ws)
    seen = crop_boxes(ws, fid)
    assert len(seen["detections"]) == 2 and seen["crops"] == [] and (seen["width"], seen["height"]) == (1200, 800)
    found = seen["detections"][0]
    result = edit_crop(ws, fid, "add", box=found["box"], what=found["label"])
    assert result["batch_id"] and ws.file(result["crop"]).status == "active"
    [(box, what)] = _active_crops(ws, fid)
    assert what == "person" and box == [round(v) for v in found["box"]]
    assert ws.file(result["crop"]).path.startswith(".loraprep/derived/two_person_")


def test_moving_a_crop_is_one_batch_and_undo_redo_walk_it(ws):
    fid = _source(ws)
    first = edit_crop(ws, fid, "add", box=[100, 100, 400, 500])["crop"]
    moved = edit_crop(ws, fid, "move", crop=first, box=[150, 120, 450, 520])
    assert _active_crops(ws, fid) == [([150, 120, 450, 520], "user")]
    ws.undo()
    assert _active_crops(ws, fid) == [([100, 100, 400, 500], "user")]
    ws.redo()
    assert _active_crops(ws, fid) == [([150, 120, 450, 520], "user")]
    edit_crop(ws, fid, "delete", crop=moved["crop"])
    assert _active_crops(ws, fid) == []
    ws.undo()
    assert ws.file(moved["crop"]).status == "active"


def test_bad_boxes_and_foreign_crops_are_refused(ws):
    fid = _source(ws)
    with pytest.raises(UsageError):
        edit_crop(ws, fid, "add", box=[10, 10, 12, 400])
    with pytest.raises(UsageError):
        edit_crop(ws, fid, "add", box=["a", 1, 2, 3])
    with pytest.raises(UsageError):
        edit_crop(ws, fid, "spin", box=[0, 0, 100, 100])
    with pytest.raises(NotFoundError):
        edit_crop(ws, fid, "delete", crop=99999)
    crop = edit_crop(ws, fid, "add", box=[-50, 0, 5000, 300])["crop"]     # clipped to the picture
    assert ws.file(crop).width == 1200 and ws.file(crop).height == 300
    with pytest.raises(UsageError):
        edit_crop(ws, crop, "add", box=[0, 0, 100, 100])                  # no crops of crops
