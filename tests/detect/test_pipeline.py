"""The tiny detector, read through the real pipeline, finds the drawn figures: boxes checked against ground truth."""

from __future__ import annotations

import random

import pytest

from loraprep.detect.pipeline import detect_images
from loraprep.model.detection import iou

from tests.detect.conftest import draw, figures

CASES = [((1024, 768), 3, "white", ".jpg"), ((640, 900), 2, "black", ".png"), ((1200, 700), 4, "white", ".webp"),
         ((512, 512), 1, "black", ".jpg"), ((1500, 600), 3, "white", ".png")]


@pytest.mark.parametrize("batch", [1, 3])
def test_every_drawn_figure_is_found_once_where_it_is(tmp_path, tiny_detector, batch):
    rng = random.Random(7 + batch)
    items, truth = [], {}
    for n, ((w, h), count, background, ext) in enumerate(CASES):
        picture = figures.random_figures(rng, w, h, count, background)
        path = draw(tmp_path / f"pic_{n}{ext}", picture)
        items.append((f"id{n}", path, (w, h)))
        truth[f"id{n}"] = figures.boxes(picture)
    results = {r.image_id: r for r in detect_images(tiny_detector, items, batch_size=batch, workers=2)}
    assert set(results) == set(truth)
    for image_id, expected in truth.items():
        found = [b for b in results[image_id].boxes if b.score >= tiny_detector.score]
        assert len(found) == len(expected), (image_id, found, expected)
        for box in expected:
            best = max(iou(b.box, box) for b in found)
            assert best > 0.85, (image_id, box, found)
        assert all(b.label == "person" for b in found)


def test_boxes_map_to_full_size_pixels_when_a_jpeg_is_decoded_small(tmp_path, tiny_detector):
    picture = figures.random_figures(random.Random(3), 2400, 1600, 2)
    path = draw(tmp_path / "big.jpg", picture)
    found = next(iter(detect_images(tiny_detector, [("a", path, (2400, 1600))]))).boxes
    for box in figures.boxes(picture):
        assert max(iou(b.box, box) for b in found) > 0.85


def test_an_image_without_figures_gives_no_box_and_a_bad_file_a_reason(tmp_path, tiny_detector):
    empty = draw(tmp_path / "empty.png", figures.Figures(700, 500, "white", []))
    broken = tmp_path / "broken.jpg"
    broken.write_bytes(b"\xff\xd8\xff not really")
    results = list(detect_images(tiny_detector, [("e", empty, None), ("b", broken, None),
                                                 ("g", tmp_path / "gone.png", None)], batch_size=2))
    assert [r.image_id for r in results] == ["e", "b", "g"]
    assert results[0].error is None and [b for b in results[0].boxes if b.score >= 0.25] == []
    assert results[1].error and results[2].error == "file not found"
