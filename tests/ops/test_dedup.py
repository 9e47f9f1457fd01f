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
    sheets = dup_dataset / ".loraprep" / "reports" / "dedup"
    assert not list(sheets.glob("*.png")) and report.get("reports") is None   # drawn when someone looks
    reviewed = dedup_ops.review(dup_dataset)
    assert [p.stem for p in sheets.glob("*.png")] == [g["group"] for g in reviewed["groups"]]
    assert reviewed["reports"] == str(sheets)


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
    assert calls == []                                   # scan described the new image from its own decode
    with open_store(dup_dataset) as store:               # a store scanned before scan described images
        with store.write() as conn:
            conn.execute("DELETE FROM dedup_descriptors WHERE image_id IN (SELECT image_id FROM files WHERE path=?)",
                         ("c/new.png",))
    ops.dedup(dup_dataset)
    assert [Path(p).name for p in calls] == ["new.png"]


def test_scan_describes_each_new_image_as_dedup_would(tmp_path):
    """The descriptor scan stores from its own decode equals dedup's own (PNG: same pixels) or stays within
    a hair of it (JPEG: a full decode reduced vs a DCT-scaled one), and JPEG keeps its scan-data key."""
    import numpy as np
    from PIL import Image

    from loraprep.dedup.descriptor import VERSION, Descriptor
    from loraprep.dedup.encode import describe_file
    from loraprep.store import dedup as dedup_rows

    root = tmp_path / "ds"
    img = _photo(root / "c" / "a.png", 5, size=(700, 500))
    img.convert("RGB").save(root / "c" / "b.jpg", quality=90)
    img.convert("RGBA").transpose(Image.Transpose.ROTATE_90).save(root / "c" / "turned.webp", lossless=True)
    exif = Image.Exif()
    exif[0x0112] = 6
    img.convert("RGB").save(root / "c" / "oriented.jpg", quality=92, exif=exif)
    ops.scan(root)
    with open_store(root) as store:
        stored = dedup_rows.load_descriptors(store.conn, VERSION)
        paths = {f.path: f.image_id for f in list_files(store)}
    for name in ("a.png", "b.jpg", "turned.webp", "oriented.jpg"):
        mine, theirs = Descriptor.from_bytes(stored[paths[f"c/{name}"]]), describe_file(root / "c" / name)
        assert (mine.width, mine.height, mine.pixel_key) == (theirs.width, theirs.height, theirs.pixel_key), name
        assert np.abs(mine.luma.astype(int) - theirs.luma.astype(int)).mean() < 2.0, name
        if name.endswith((".png", ".webp")):
            assert mine.to_bytes() == theirs.to_bytes(), name


def test_descriptors_of_an_older_version_are_recomputed(dup_dataset, monkeypatch):
    from pathlib import Path

    import loraprep.dedup.batch as batch
    from loraprep.dedup.descriptor import VERSION

    calls = []
    real = batch.describe_path
    monkeypatch.setattr(batch, "describe_path", lambda p: calls.append(p) or real(p))
    first = ops.dedup(dup_dataset)
    assert calls == []                                   # scan described every image
    with open_store(dup_dataset) as store:               # one per content (copy.png repeats base.png's bytes)
        by_content = {f.image_id: f.path for f in list_files(store, statuses=["active", "excluded"])}
    described = sorted(str(dup_dataset / p) for p in by_content.values())
    store = open_store(dup_dataset)
    try:
        with store.write() as conn:                      # as if written by the previous descriptor layout
            conn.execute("UPDATE dedup_descriptors SET version=?", (VERSION - 1,))
    finally:
        store.close()
    calls.clear()
    again = ops.dedup(dup_dataset)
    # one per content: base.png or copy.png (the same bytes), small.jpg, four others
    assert len(described) == len(calls) == 6
    assert {Path(p).name for p in calls} - {"base.png", "copy.png"} == {Path(p).name for p in described} - {"base.png", "copy.png"}
    assert [g["members"] for g in again["groups"]] == [g["members"] for g in first["groups"]]


def test_bad_threshold_and_unknown_group(dup_dataset):
    with pytest.raises(UsageError):
        ops.dedup(dup_dataset, threshold="sloppy")
    with pytest.raises(DatasetError, match="no duplicate group"):
        dedup_ops.split(dup_dataset, "gnothere")


def test_rerun_keeps_current_sheets_and_redraws_changed_ones(dup_dataset, monkeypatch):
    import loraprep.dedup.contact_sheet as sheets

    ops.dedup(dup_dataset, sheets=True)
    folder = dup_dataset / ".loraprep" / "reports" / "dedup"
    (first,) = folder.glob("*.png")
    drawn = []
    real = sheets.contact_sheet
    monkeypatch.setattr(sheets, "contact_sheet", lambda g, *a, **k: drawn.append(g.group_id) or real(g, *a, **k))
    ops.dedup(dup_dataset, sheets=True)
    assert drawn == []                                  # same group, same files: the sheet on disk is current
    first.write_bytes(b"not a png")                     # a damaged sheet is drawn again
    ops.dedup(dup_dataset, sheets=True)
    assert drawn == [first.stem]
    drawn.clear()
    big = _photo(dup_dataset / "c" / "base.png", 1)     # same picture, new bytes: the sheet must show the new file
    big.save(dup_dataset / "c" / "copy.png", compress_level=1)
    ops.scan(dup_dataset)
    ops.dedup(dup_dataset, sheets=True)
    assert len(drawn) == 1


def test_sheets_drawn_by_worker_processes_equal_those_drawn_by_threads(dup_dataset, monkeypatch):
    from loraprep.dedup import batch

    ops.dedup(dup_dataset, sheets=True)
    folder = dup_dataset / ".loraprep" / "reports" / "dedup"
    by_threads = {p.name: p.read_bytes() for p in folder.glob("*.png")}
    for p in folder.glob("*.png"):
        p.unlink()
    monkeypatch.setattr(batch, "PROCESS_MIN", 1)
    monkeypatch.setenv("LORAPREP_WORKERS", "2")
    started = []
    real = batch._process_pool
    monkeypatch.setattr(batch, "_process_pool", lambda n: started.append(n) or real(n))
    ops.dedup(dup_dataset, sheets=True)
    assert started == [2] and {p.name: p.read_bytes() for p in folder.glob("*.png")} == by_threads


def test_sheets_name_their_files_and_a_rename_redraws(dup_dataset, monkeypatch):
    import loraprep.dedup.contact_sheet as sheets

    labels = []
    real = sheets.contact_sheet
    monkeypatch.setattr(sheets, "contact_sheet",
                        lambda g, *a, **k: labels.append(sorted(map(k["label"], [g.keeper_id, *(m.image_id for m in g.members)])))
                        or real(g, *a, **k))
    ops.dedup(dup_dataset, sheets=True)
    assert labels == [sorted(["c/base.png", "c/copy.png", "c/small.jpg"])]
    (dup_dataset / "c" / "small.jpg").rename(dup_dataset / "c" / "small_renamed.jpg")
    ops.scan(dup_dataset)
    labels.clear()
    ops.dedup(dup_dataset, sheets=True)
    assert labels == [sorted(["c/base.png", "c/copy.png", "c/small_renamed.jpg"])]


def _journal_words(root, path):
    from loraprep.ops.workspace import Workspace

    with Workspace(root) as ws:
        f = next(f for f in ws.files(statuses=("active", "excluded")) if f.path == path)
        return ws.caption(f.id)


@pytest.fixture
def captioned_repost(tmp_path):
    """orig.jpg (q85) with the user's caption; repost.jpg = the same picture re-saved at q97, no caption."""
    from PIL import Image

    root = tmp_path / "ds"
    _photo(root / "c" / "orig_src.png", 7)
    with Image.open(root / "c" / "orig_src.png") as img:
        img.convert("RGB").save(root / "c" / "orig.jpg", quality=85)
    (root / "c" / "orig_src.png").unlink()
    with Image.open(root / "c" / "orig.jpg") as img:
        img.save(root / "c" / "repost.jpg", quality=97)
    assert (root / "c" / "repost.jpg").stat().st_size > (root / "c" / "orig.jpg").stat().st_size
    (root / "c" / "orig.txt").write_text("mychar, red scarf, smile", encoding="utf-8")
    for i in range(3):
        _photo(root / "c" / f"other{i}.png", 20 + i)
    (root / "loraprep.toml").write_text('trigger = ["mychar"]\n', encoding="utf-8")
    ops.scan(root)
    return root


def test_the_hand_captioned_copy_is_kept_over_a_bigger_resave(captioned_repost, source_guard):
    source_guard(captioned_repost)
    ops.dedup(captioned_repost)
    status = _status(captioned_repost)
    assert status["c/orig.jpg"][0] == "active" and status["c/repost.jpg"][0] == "excluded"
    assert _journal_words(captioned_repost, "c/orig.jpg") == "mychar, red scarf, smile"


def test_a_better_keeper_takes_the_caption_edits_and_tier_of_the_copy_it_replaces(tmp_path, source_guard):
    root = tmp_path / "ds"
    big = _photo(root / "hero" / "supporting" / "big.png", 3, size=(1024, 1024))
    (root / "hero" / "primary").mkdir(parents=True)
    big.resize((700, 700)).convert("RGB").save(root / "hero" / "primary" / "small.jpg", quality=90)
    (root / "hero" / "primary" / "small.txt").write_text("1girl, red scarf, smile", encoding="utf-8")
    for i in range(3):
        _photo(root / "hero" / "supporting" / f"o{i}.png", 30 + i)
    source_guard(root)
    ops.scan(root)
    from loraprep.ops.edits import EditOp
    from loraprep.ops.workspace import Workspace

    with Workspace(root) as ws:
        small = next(f for f in ws.files() if f.path == "hero/primary/small.jpg")
        ws.apply_edit(EditOp("add", ("holding umbrella",)), [small.id])
        ws.apply_edit(EditOp("remove", ("smile",)), [small.id])
    report = ops.dedup(root)
    status = _status(root)
    assert status["hero/supporting/big.png"][0] == "active" and status["hero/primary/small.jpg"][0] == "excluded"
    words = _journal_words(root, "hero/supporting/big.png").split(", ")
    assert {"1girl", "red scarf", "holding umbrella"} <= set(words) and "smile" not in words
    assert report["carried"] == [{"keeper": "hero/supporting/big.png", "from": "hero/primary/small.jpg",
                                  "caption_tags": 3, "edits": 2, "tier": "primary"}]
    with open_store(root) as store:
        keeper = next(f for f in list_files(store) if f.path == "hero/supporting/big.png")
    assert keeper.tier == "primary"
    # where it came from: the review names the donor, and the journal has the carry as its own batches
    (group,) = dedup_ops.review(root, sheets=False)["groups"]
    assert group["carried_from"] == ["hero/primary/small.jpg"]
    again = ops.dedup(root)                                     # nothing is carried twice
    assert again["carried"] == [] and again["warnings"] == []
    assert _journal_words(root, "hero/supporting/big.png").split(", ") == words


def test_a_caption_left_behind_is_named(tmp_path):
    root = tmp_path / "ds"
    big = _photo(root / "c" / "big.png", 5, size=(1000, 1000))
    big.resize((500, 500)).save(root / "c" / "small.png")
    (root / "c" / "big.txt").write_text("cat ears", encoding="utf-8")
    (root / "c" / "small.txt").write_text("dog ears, collar", encoding="utf-8")
    for i in range(3):
        _photo(root / "c" / f"o{i}.png", 40 + i)
    ops.scan(root)
    report = ops.dedup(root)
    assert report["carried"] == []
    (warning,) = report["warnings"]
    assert warning.startswith("c/small.png: its caption/edits (2 caption tag(s)) stay with it") and "c/big.png" in warning
    assert _journal_words(root, "c/big.png") == "cat ears"


def _counting_finds(monkeypatch) -> list:
    import loraprep.dedup as dedup_package

    calls = []
    real = dedup_package.find_duplicate_groups
    monkeypatch.setattr(dedup_package, "find_duplicate_groups", lambda *a, **k: calls.append(1) or real(*a, **k))
    return calls


def test_a_rerun_with_nothing_new_reuses_the_groups(dup_dataset, monkeypatch):
    finds = _counting_finds(monkeypatch)
    first = ops.dedup(dup_dataset)
    status = _status(dup_dataset)
    again = ops.dedup(dup_dataset)
    assert len(finds) == 1
    assert again["groups"] == first["groups"] and again["excluded"] == first["excluded"] == 2
    assert _status(dup_dataset) == status
    ops.dedup(dup_dataset, threshold="strict")                      # another threshold: found afresh
    dedup_ops.keep(dup_dataset, "c/small.jpg")          # a user decision: regrouped afresh (with the strict threshold)
    ops.dedup(dup_dataset)                              # the default threshold again: found afresh
    assert len(finds) == 4
    assert _status(dup_dataset)["c/small.jpg"][0] == "active"
    _photo(dup_dataset / "c" / "new.png", 77)                       # a new picture: found afresh
    ops.scan(dup_dataset)
    ops.dedup(dup_dataset)
    assert len(finds) == 5


def test_unreadable_kept_groups_are_found_afresh(dup_dataset, monkeypatch):
    from loraprep.store.dedup_cache import CACHE_NAME

    first = ops.dedup(dup_dataset)
    finds = _counting_finds(monkeypatch)
    kept = dup_dataset / ".loraprep" / CACHE_NAME
    for text in ("{not json", '{"inputs": 3}', "[]"):
        kept.write_text(text)
        assert ops.dedup(dup_dataset)["groups"] == first["groups"]
    assert len(finds) == 3


def test_a_dry_run_keeps_no_groups(dup_dataset):
    from loraprep.store.dedup_cache import CACHE_NAME

    ops.dedup(dup_dataset, dry_run=True)
    assert not (dup_dataset / ".loraprep" / CACHE_NAME).exists()
