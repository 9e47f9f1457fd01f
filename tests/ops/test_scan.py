"""scan(): the bad-input corpus, incremental rescans, caption import, and sources left untouched."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from loraprep import ops
from loraprep.store import journal
from loraprep.store.db import open_store
from loraprep.store.files import list_files
from tests.conftest import make_image


def _by_path(root: Path) -> dict:
    with open_store(root) as store:
        return {f.path: f for f in list_files(store)}


def test_bad_input_corpus_each_file_gets_its_reason(tmp_path, source_guard):
    root = tmp_path / "ds"
    good = make_image(root / "c" / "good.jpg", fmt="JPEG")
    (root / "c" / "zero.png").write_bytes(b"")
    (root / "c" / "trunc.jpg").write_bytes(good.read_bytes()[:4000])
    (root / "c" / "text.png").write_text("not an image")
    make_image(root / "c" / "a.png", (900, 900))
    make_image(root / "c" / "a.jpg", (900, 900), fmt="JPEG")
    make_image(root / "c" / "ünïcode ŝpace (1).png", (800, 800))
    make_image(root / "c" / ("long" * 50 + ".png"), (800, 800))
    make_image(root / "root_image.png", (300, 300))
    locked = make_image(root / "c" / "locked.png", (800, 800))
    (root / ".hidden.png").write_bytes(good.read_bytes())
    os.chmod(locked, 0)
    source_guard(root)
    try:
        report = ops.scan(root)
    finally:
        os.chmod(locked, 0o644)
    files = _by_path(root)
    assert ".hidden.png" not in files
    reasons = {f["path"]: f["reason"] for f in report["failed"]}
    assert reasons["c/zero.png"].startswith("empty file")
    assert reasons["c/trunc.jpg"].startswith("truncated")
    assert reasons["c/text.png"].startswith("not an image")
    if os.geteuid() != 0:  # root reads anything, so the permission case only shows for normal users
        assert reasons["c/locked.png"].startswith("unreadable")
    assert files["c/a.png"].status == files["c/a.jpg"].status == "active"
    assert files["c/ünïcode ŝpace (1).png"].status == "active"
    assert files["root_image.png"].concept == "" and files["root_image.png"].small
    assert report["totals"]["images"] == len(files)


def test_unchanged_rescan_reads_nothing(small_dataset, monkeypatch, source_guard):
    source_guard(small_dataset)
    ops.scan(small_dataset)
    import sys

    scan_module = sys.modules["loraprep.ops.scan"]

    def boom(*a, **k):
        raise AssertionError("an unchanged file was read again")

    monkeypatch.setattr(scan_module, "read_file", boom)
    report = ops.scan(small_dataset)
    assert report["scan"]["read"] == 0 and report["totals"]["images"] == 4


def test_rename_keeps_history(small_dataset):
    ops.scan(small_dataset)
    before = _by_path(small_dataset)["outfit_a/001.jpg"]
    os.rename(small_dataset / "outfit_a" / "001.jpg", small_dataset / "outfit_a" / "renamed.jpg")
    report = ops.scan(small_dataset)
    after = _by_path(small_dataset)
    assert report["scan"]["renamed"] == 1 and report["scan"]["gone"] == 0
    assert after["outfit_a/renamed.jpg"].id == before.id
    assert after["outfit_a/renamed.jpg"].image_id == before.image_id
    assert "outfit_a/001.jpg" not in after


def test_edit_gives_new_id_and_delete_is_reported(small_dataset):
    ops.scan(small_dataset)
    old = _by_path(small_dataset)["outfit_b/003.png"]
    make_image(small_dataset / "outfit_b" / "003.png", (800, 800), color=(250, 250, 0))
    os.remove(small_dataset / "outfit_a" / "002.png")
    report = ops.scan(small_dataset)
    files = _by_path(small_dataset)
    assert files["outfit_b/003.png"].image_id != old.image_id
    assert report["scan"]["changed"] == 1 and report["scan"]["gone"] == 1 and report["gone"] == 1
    assert files["outfit_a/002.png"].status == "gone"


def test_captions_import_and_reimport(small_dataset):
    ops.scan(small_dataset)
    image_id = _by_path(small_dataset)["outfit_a/001.jpg"].image_id
    with open_store(small_dataset) as store:
        assert journal.imported_tags(store.conn, image_id) == ["red hair", "solo", "smile"]
    caption = small_dataset / "outfit_a" / "001.txt"
    caption.write_text("\ufeffred hair, blue eyes\r\n", encoding="utf-8")
    os.utime(caption, ns=(caption.stat().st_atime_ns, caption.stat().st_mtime_ns + 10_000_000))
    ops.scan(small_dataset)
    with open_store(small_dataset) as store:
        assert journal.imported_tags(store.conn, image_id) == ["red hair", "blue eyes"]


def test_small_flag_follows_min_size(small_dataset):
    report = ops.scan(small_dataset, min_size=500)
    assert report["totals"]["small"] == 1  # 002.png is 600x400
    report = ops.scan(small_dataset, min_size=2000)
    assert report["totals"]["small"] == 4


def test_status_needs_a_scan(tmp_path):
    from loraprep.errors import DatasetError

    with pytest.raises(DatasetError, match="not been scanned"):
        ops.status(tmp_path)


def test_symlink_loop_is_not_followed(tmp_path):
    root = tmp_path / "ds"
    make_image(root / "c" / "x.png")
    os.symlink(root, root / "c" / "loop")
    report = ops.scan(root)
    assert report["totals"]["images"] == 1


@pytest.mark.parametrize("resolution, small", [(400, 0), (512, 1), (1024, 4)])
def test_small_flag_follows_the_training_resolution(small_dataset, resolution, small):
    # Sizes: 900x800, 600x400, 800x800, 820x800; the shorter side is compared with [export] resolution.
    (small_dataset / "loraprep.toml").write_text(f"[export]\nresolution = {resolution}\n", encoding="utf-8")
    report = ops.scan(small_dataset)
    assert report["min_size"] == resolution and report["totals"]["small"] == small


def test_small_flag_without_a_readable_recipe_uses_the_default_and_says_so(small_dataset):
    (small_dataset / "loraprep.toml").write_text("[export]\nresolution = 'big'\n", encoding="utf-8")
    report = ops.scan(small_dataset)
    assert report["min_size"] == 768 and report["totals"]["small"] == 1
    assert any("recipe could not be read" in w["warning"] for w in report["warnings"])
