"""ops.dedup: exclusions with reasons, user keep/split decisions that survive re-runs, incremental describing."""

from __future__ import annotations

import shutil

import pytest

from loraprep import ops
from loraprep.errors import DatasetError, UsageError
from loraprep.ops import dedup_ops
from loraprep.store.db import open_store
from loraprep.store.files import list_files


def _photo(path, seed, size=(900, 900)):
    import numpy as np
    from PIL import Image, ImageDraw

    rng = np.random.default_rng(seed)
    img = Image.fromarray(rng.integers(0, 255, (6, 6, 3), dtype=np.uint8), "RGB").resize(size, Image.BICUBIC)
    draw = ImageDraw.Draw(img)
    for _ in range(5):
        x, y, r = (int(v) for v in rng.integers(50, 800, 3))
        draw.ellipse((x - r // 4, y - r // 4, x + r // 4, y + r // 4), fill=tuple(int(c) for c in rng.integers(0, 255, 3)))
    path.parent.mkdir(parents=True, exist_ok=True)
    img.save(path)
    return img


@pytest.fixture
def dup_dataset(tmp_path):
    root = tmp_path / "ds"
    big = _photo(root / "c" / "base.png", 1)
    shutil.copy(root / "c" / "base.png", root / "c" / "copy.png")
    big.resize((600, 600)).save(root / "c" / "small.jpg", quality=80)
    for i in range(4):
        _photo(root / "c" / f"other{i}.png", 10 + i)
    (root / "c" / "broken.png").write_bytes(b"\x89PNG\r\n\x1a\n" + b"0" * 50)
    ops.scan(root)
    return root


def _status(root):
    with open_store(root) as store:
        return {f.path: (f.status, f.reason) for f in list_files(store)}


def test_duplicates_are_excluded_with_reason(dup_dataset, source_guard):
    source_guard(dup_dataset)
    report = ops.dedup(dup_dataset)
    status = _status(dup_dataset)
    assert len(report["groups"]) == 1
    kept = [p for p in ("c/base.png", "c/copy.png") if status[p][0] == "active"]
    assert len(kept) == 1
    assert status["c/small.jpg"][0] == "excluded" and status["c/small.jpg"][1].startswith(f"duplicate of {kept[0]}")
    assert all(status[f"c/other{i}.png"][0] == "active" for i in range(4))
    assert list((dup_dataset / ".loraprep" / "reports" / "dedup").glob("*.png"))


def test_dry_run_changes_nothing(dup_dataset):
    report = ops.dedup(dup_dataset, dry_run=True)
    assert report["excluded"] == 2
    assert all(s == "active" for s, _ in (v for k, v in _status(dup_dataset).items() if k != "c/broken.png"))


def test_user_keep_and_split_survive_reruns(dup_dataset):
    ops.dedup(dup_dataset)
    dedup_ops.keep(dup_dataset, "c/small.jpg")
    assert _status(dup_dataset)["c/small.jpg"][0] == "active"
    ops.dedup(dup_dataset)
    assert _status(dup_dataset)["c/small.jpg"][0] == "active"
    group = dedup_ops.review(dup_dataset)["groups"][0]
    dedup_ops.split(dup_dataset, group["group"])
    ops.dedup(dup_dataset)
    assert all(s == "active" for p, (s, _) in _status(dup_dataset).items() if p != "c/broken.png")


def test_incremental_describes_only_new_images(dup_dataset, monkeypatch):
    ops.dedup(dup_dataset)
    _photo(dup_dataset / "c" / "new.png", 99)
    ops.scan(dup_dataset)
    from pathlib import Path

    import loraprep.dedup.batch as batch

    calls = []
    real = batch.describe_path
    monkeypatch.setattr(batch, "describe_path", lambda p: calls.append(p) or real(p))
    ops.dedup(dup_dataset)
    assert [Path(p).name for p in calls] == ["new.png"]


def test_descriptors_of_an_older_version_are_recomputed(dup_dataset, monkeypatch):
    import loraprep.dedup.batch as batch
    from loraprep.dedup.descriptor import VERSION

    calls = []
    real = batch.describe_path
    monkeypatch.setattr(batch, "describe_path", lambda p: calls.append(p) or real(p))
    first = ops.dedup(dup_dataset)
    described = sorted(calls)
    store = open_store(dup_dataset)
    try:
        with store.write() as conn:                      # as if written by the previous descriptor layout
            conn.execute("UPDATE dedup_descriptors SET version=?", (VERSION - 1,))
    finally:
        store.close()
    calls.clear()
    again = ops.dedup(dup_dataset)
    assert described and sorted(calls) == described
    assert [g["members"] for g in again["groups"]] == [g["members"] for g in first["groups"]]


def test_bad_threshold_and_unknown_group(dup_dataset):
    with pytest.raises(UsageError):
        ops.dedup(dup_dataset, threshold="sloppy")
    with pytest.raises(DatasetError, match="no duplicate group"):
        dedup_ops.split(dup_dataset, "gnothere")


def test_rerun_keeps_current_sheets_and_redraws_changed_ones(dup_dataset, monkeypatch):
    import loraprep.dedup.contact_sheet as sheets

    ops.dedup(dup_dataset)
    folder = dup_dataset / ".loraprep" / "reports" / "dedup"
    (first,) = folder.glob("*.png")
    drawn = []
    real = sheets.contact_sheet
    monkeypatch.setattr(sheets, "contact_sheet", lambda g, *a, **k: drawn.append(g.group_id) or real(g, *a, **k))
    ops.dedup(dup_dataset)
    assert drawn == []                                  # same group, same files: the sheet on disk is current
    first.write_bytes(b"not a png")                     # a damaged sheet is drawn again
    ops.dedup(dup_dataset)
    assert drawn == [first.stem]
    drawn.clear()
    big = _photo(dup_dataset / "c" / "base.png", 1)     # same picture, new bytes: the sheet must show the new file
    big.save(dup_dataset / "c" / "copy.png", compress_level=1)
    ops.scan(dup_dataset)
    ops.dedup(dup_dataset)
    assert len(drawn) == 1


def test_sheets_drawn_by_worker_processes_equal_those_drawn_by_threads(dup_dataset, monkeypatch):
    from loraprep.dedup import batch

    ops.dedup(dup_dataset)
    folder = dup_dataset / ".loraprep" / "reports" / "dedup"
    by_threads = {p.name: p.read_bytes() for p in folder.glob("*.png")}
    for p in folder.glob("*.png"):
        p.unlink()
    monkeypatch.setattr(batch, "PROCESS_MIN", 1)
    monkeypatch.setenv("LORAPREP_WORKERS", "2")
    started = []
    real = batch._process_pool
    monkeypatch.setattr(batch, "_process_pool", lambda n: started.append(n) or real(n))
    ops.dedup(dup_dataset)
    assert started == [2] and {p.name: p.read_bytes() for p in folder.glob("*.png")} == by_threads


def test_sheets_name_their_files_and_a_rename_redraws(dup_dataset, monkeypatch):
    import loraprep.dedup.contact_sheet as sheets

    labels = []
    real = sheets.contact_sheet
    monkeypatch.setattr(sheets, "contact_sheet",
                        lambda g, *a, **k: labels.append(sorted(map(k["label"], [g.keeper_id, *(m.image_id for m in g.members)])))
                        or real(g, *a, **k))
    ops.dedup(dup_dataset)
    assert labels == [sorted(["c/base.png", "c/copy.png", "c/small.jpg"])]
    (dup_dataset / "c" / "small.jpg").rename(dup_dataset / "c" / "small_renamed.jpg")
    ops.scan(dup_dataset)
    labels.clear()
    ops.dedup(dup_dataset)
    assert labels == [sorted(["c/base.png", "c/copy.png", "c/small_renamed.jpg"])]
