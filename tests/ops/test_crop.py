"""crop(): crops are derived images made from the stored boxes, with provenance, undoable, seen by every stage."""

from __future__ import annotations

import random

import numpy as np
import pytest
from PIL import Image

from loraprep import ops
from loraprep.model.detection import iou
from loraprep.ops.crop import crop
from loraprep.store import derived
from loraprep.store.db import open_store
from loraprep.store.journal import undo

from tests.detect.conftest import TINY_DETECTOR, draw, figures

RECIPE = 'trigger = ["lpfig"]\n[crop]\nmin_size = {min_size}\nmargin = {margin}\nkeep_source = {keep}\nmin_aspect = {aspect}\n'


def _dataset(root, pictures, *, min_size=128, margin=0.05, keep=True, aspect=0.5):
    for rel, picture in pictures.items():
        draw(root / rel, picture)
    (root / "loraprep.toml").write_text(RECIPE.format(min_size=min_size, margin=margin, keep=str(keep).lower(),
                                                      aspect=aspect))
    ops.scan(root)
    ops.detect(root, model=str(TINY_DETECTOR), device="cpu")
    return root


def _rows(root):
    store = open_store(root)
    try:
        return {r["path"]: dict(r) for r in store.query("SELECT id, path, image_id, status, reason FROM files")}
    finally:
        store.close()


@pytest.fixture
def two_pictures(tmp_path):
    tmp_path = tmp_path / "data"
    rng = random.Random(21)
    pictures = {"chars/group.png": figures.random_figures(rng, 1700, 800, 3, radius=(0.15, 0.17)),
                "chars/solo one.jpg": figures.random_figures(rng, 900, 1100, 1, radius=(0.18, 0.2))}
    return _dataset(tmp_path, pictures), pictures


def test_each_detected_figure_becomes_a_crop_with_its_source_pixels(two_pictures):
    root, pictures = two_pictures
    assert [len(p.figures) for p in pictures.values()] == [3, 1]
    report = crop(root)
    assert report["made"] == 4 and report["pictures"] == 2 and report["failed"] == 0
    rows = _rows(root)
    store = open_store(root)
    try:
        made = derived.derived_rows(store.conn)
        source_path = {r["image_id"]: p for p, r in rows.items() if not derived.is_derived_path(p)}
        for item in made:
            path = source_path[item.source]
            truth = figures.boxes(pictures[path])
            assert max(iou(item.box, t) for t in truth) > 0.7      # a grown figure box, not anything else
            crop_file = next(p for p, r in rows.items() if r["image_id"] == item.id)
            assert rows[crop_file]["status"] == "active" and crop_file.startswith(".loraprep/derived/")
            with Image.open(root / crop_file) as piece, Image.open(root / path) as whole:
                expected = np.asarray(whole.convert("RGB").crop(item.box), np.int16)
                assert piece.size == (item.box[2] - item.box[0], item.box[3] - item.box[1])
                assert np.abs(np.asarray(piece.convert("RGB"), np.int16) - expected).max() == 0
            assert item.id == derived.derived_id(item.source, item.box) and item.made_by.startswith("detect:")
        fields = derived.people_fields(store.conn)
        assert sorted(f.npeople for i, f in fields.items() if i in source_path) == [1, 3]
        assert {fields[i.id].crop_info for i in made} == {"full"}
    finally:
        store.close()
    again = crop(root)
    assert again["made"] == 0 and again["existing"] == 4


def test_a_crop_run_is_one_batch_that_undo_takes_back_and_redo_does_not_duplicate(two_pictures):
    root, _ = two_pictures
    crop(root)
    store = open_store(root)
    try:
        undo(store)
    finally:
        store.close()
    crops = {p: r for p, r in _rows(root).items() if derived.is_derived_path(p)}
    assert len(crops) == 4 and {r["status"] for r in crops.values()} == {"excluded"}
    assert crop(root)["made"] == 0          # the user's word (undone) stands: no crop comes back by itself


def test_without_keep_source_the_cropped_picture_is_excluded_and_small_boxes_are_counted(tmp_path):
    rng = random.Random(4)
    root = _dataset(tmp_path, {"a/pair.png": figures.random_figures(rng, 1400, 900, 2, radius=(0.2, 0.22)),
                               "a/tiny.png": figures.random_figures(rng, 1200, 900, 1, radius=(0.07, 0.08))},
                    keep=False, min_size=300)
    report = crop(root)
    assert report["made"] == 2 and report["skipped"] == 1
    assert report["skipped_boxes"][0]["path"] == "a/tiny.png" and report["skipped_boxes"][0]["why"].startswith("small")
    rows = _rows(root)
    assert rows["a/pair.png"]["status"] == "excluded" and rows["a/tiny.png"]["status"] == "active"


def test_scan_keeps_crops_and_cuts_a_deleted_cache_again(two_pictures):
    root, _ = two_pictures
    crop(root)
    before = _rows(root)
    cache = root / ".loraprep" / "derived"
    first = sorted(cache.iterdir())[0]
    data = first.read_bytes()
    first.unlink()
    report = ops.scan(root)
    assert report["scan"]["new"] == 0 and report["scan"]["gone"] == 0
    assert _rows(root) == before and first.read_bytes() == data


def test_dedup_never_groups_a_crop_with_its_own_source(tmp_path):
    picture = figures.Figures(1000, 1000, "white", [(500, 530, 355)])
    root = _dataset(tmp_path, {"c/big.png": picture}, margin=0.08, aspect=1.0, min_size=64)
    report = crop(root)
    assert report["made"] == 1
    item = report["crops"][0]
    width, height = item["box"][2] - item["box"][0], item["box"][3] - item["box"][1]
    assert width >= 850 and height >= 850     # within dedup's crop rule: it would be grouped without the family
    result = ops.dedup(root)
    assert result["groups"] == [] and result["excluded"] == 0


def test_export_writes_the_crop_pixels_and_the_source_whole(two_pictures, tmp_path):
    from loraprep.ops.export import export

    root, _ = two_pictures
    crop(root)
    out = tmp_path / "out"
    export(root, out, fmt="kohya")
    written = sorted(p.name for p in out.rglob("*.png")) + sorted(p.name for p in out.rglob("*.jpg"))
    assert "group.png" in written and "solo one.jpg" in written
    crops = [n for n in written if "_person_" in n]
    assert len(crops) == 4 and all(n.startswith(("group_person_", "solo_one_person_")) for n in crops)


def test_where_npeople_selects_multi_person_pictures_in_the_workspace(two_pictures):
    from loraprep.ops.workspace import Workspace

    root, _ = two_pictures
    with Workspace(root) as ws:
        chosen = [ws.file(i).path for i in ws.select("npeople>1")]
        single = [ws.file(i).path for i in ws.select("npeople=1")]
    assert chosen == ["chars/group.png"] and single == ["chars/solo one.jpg"]


def test_run_on_the_sample_crops_every_character_of_its_group_pictures(tmp_path):
    import sample_groups

    from loraprep.ops.run import run
    from tests.ops.sample_helpers import copy_sample

    root = copy_sample(tmp_path / "s")
    summary = run(root, tmp_path / "out")
    truth = sample_groups.boxes()
    assert summary["crops_made"] == sum(len(b) for b in truth.values()) and summary["crops_skipped"] == 0
    store = open_store(root)
    try:
        path_of = {r["image_id"]: r["path"] for r in store.query("SELECT path, image_id FROM files")}
        for item in derived.derived_rows(store.conn):
            # the recipe's margin (0.1) grows each figure's box: the crop holds its figure, and little else
            figure = max(truth[path_of[item.source]], key=lambda t: iou(item.box, t))
            assert all(abs(a - b) <= 4 or inside for a, b, inside in zip(item.box, figure, (
                item.box[0] <= figure[0], item.box[1] <= figure[1], item.box[2] >= figure[2], item.box[3] >= figure[3])))
            assert iou(item.box, figure) > 0.55
    finally:
        store.close()
    exported = [p.name for p in (tmp_path / "out").rglob("*_person_*.png")]
    assert len(exported) == summary["crops_made"]


def test_crop_before_any_detection_says_to_detect_first(tmp_path):
    from loraprep.errors import DatasetError

    draw(tmp_path / "d" / "x" / "one.png", figures.Figures(640, 480, "white", [(300, 250, 90)]))
    ops.scan(tmp_path / "d")
    with pytest.raises(DatasetError) as err:
        crop(tmp_path / "d", what="head")
    assert "no head detections" in str(err.value) and "loraprep detect" in err.value.hint
