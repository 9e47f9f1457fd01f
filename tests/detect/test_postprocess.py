"""YOLO output decoding and class-aware NMS, on hand-made heads."""

from __future__ import annotations

import numpy as np

from loraprep.detect.postprocess import decode, detections, nms
from loraprep.detect.preprocess import Geometry

ONE = Geometry(1.0, 1.0, 0.0, 0.0, 1000, 1000)


def head(rows):
    """(4 + classes, anchors) from per-anchor (cx, cy, w, h, *class scores) rows."""
    return np.array(rows, np.float32).T


def test_overlapping_boxes_of_one_class_merge_and_of_two_classes_stay():
    out = head([[100, 100, 80, 80, 0.9, 0.0], [104, 102, 80, 80, 0.7, 0.0],   # same person twice
                [102, 100, 80, 80, 0.0, 0.8],                                 # a head where the person is
                [500, 500, 50, 50, 0.04, 0.0]])                               # under the floor
    found = detections(out, ["person", "head"], ONE, iou_threshold=0.5)
    assert [(d.label, d.score) for d in found] == [("person", 0.9), ("head", 0.8)]
    assert found[0].box == (60.0, 60.0, 140.0, 140.0)


def test_nms_keeps_a_box_that_overlaps_less_than_the_threshold():
    boxes = np.array([[0, 0, 100, 100], [50, 0, 150, 100], [0, 0, 100, 100]], np.float32)
    scores = np.array([0.9, 0.8, 0.85], np.float32)
    classes = np.zeros(3, np.int64)
    assert nms(boxes, scores, classes, 0.5) == [0, 1]   # IoU 1/3 kept, the copy dropped
    assert nms(boxes, scores, classes, 0.2) == [0]


def test_boxes_map_back_through_the_letterbox_and_clip_to_the_image():
    geometry = Geometry(0.5, 0.5, 0.0, 32.0, 1280, 1152)   # 1280x1152 into 640x640: 640x576 at y 32
    out = head([[320, 320, 100, 100, 0.9], [630, 40, 40, 40, 0.6]])
    found = detections(out, ["face"], geometry, 0.7)
    assert found[0].box == (540.0, 476.0, 740.0, 676.0)
    assert found[1].box[2] == 1280.0 and found[1].box[1] == 0.0


def test_end_to_end_rows_are_read_too():
    rows = np.array([[10, 10, 50, 60, 0.9, 1], [0, 0, 5, 5, 0.01, 0]], np.float32)
    boxes, scores, classes = decode(rows, ["a", "b", "c", "d", "e", "f", "g"])
    assert boxes.tolist() == [[10, 10, 50, 60]] and classes.tolist() == [1]
