"""detect(): boxes stored per image and model@revision, a threshold is a query, reruns skip what was seen."""

from __future__ import annotations

import random

from loraprep import ops
from loraprep.store import detections
from loraprep.store.db import open_store

from tests.detect.conftest import TINY_DETECTOR, draw, figures


def _dataset(root, counts):
    rng = random.Random(11)
    truth = {}
    for n, count in enumerate(counts):
        picture = figures.random_figures(rng, 900 + 40 * n, 700, count)
        draw(root / "chars" / f"p{n}.{'png' if n % 2 else 'jpg'}", picture)
        truth[f"chars/p{n}.{'png' if n % 2 else 'jpg'}"] = count
    return truth


def test_detect_stores_boxes_and_counts_people_by_query(tmp_path):
    truth = _dataset(tmp_path, [0, 1, 2, 3])
    (tmp_path / "chars" / "bad.png").write_bytes(b"\x89PNG\r\n\x1a\n broken")
    ops.scan(tmp_path)
    report = ops.detect(tmp_path, model=str(TINY_DETECTOR), device="cpu")
    assert report["detected"] == 4 and report["failed"] == 0 and report["boxes"] == 6 and report["multi"] == 2
    store = open_store(tmp_path)
    try:
        ids = {f["path"]: f["image_id"] for f in store.query("SELECT path, image_id FROM files")}
        counts = detections.person_counts(store.conn, 0.25)
        assert {path: counts[ids[path]] for path in truth} == truth
        every = detections.boxes(store.conn, label="person")
        assert all(len(every[ids[p]]) >= truth[p] for p in truth)
        assert detections.person_counts(store.conn, 1.01) == {ids[p]: 0 for p in truth}
        assert detections.detector_models(store.conn) == [report["model"]]
    finally:
        store.close()
    again = ops.detect(tmp_path, model=str(TINY_DETECTOR), device="cpu")
    assert again["detected"] == 0 and again["skipped"] == 4
