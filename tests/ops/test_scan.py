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
    import importlib

    scan_module = importlib.import_module("loraprep.ingest.read")  # scan reads every walked file through read_found there

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


def _write_raw(root: Path, raw: bytes, data: bytes) -> None:
    path = os.path.join(os.fsencode(root), raw)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "wb") as handle:
        handle.write(data)


def _imported_tags(root: Path) -> dict[str, set[str]]:
    with open_store(root) as store:
        ids = {f.path: f.image_id for f in list_files(store)}
        states = journal.tag_states(store.conn, imports_only=True)
    return {path: {t for t, s in states.get(image_id, {}).items() if s.imported} for path, image_id in ids.items()}


@pytest.mark.skipif(os.name != "posix" or os.uname().sysname == "Darwin", reason="needs a file system that takes any bytes")
@pytest.mark.parametrize("bad", [b"a_\xe9t\xe9.png", b"m\x82\xa0\x82\xa2.jpg", b"c\xe9/n.png"])
def test_a_name_that_is_not_utf8_fails_one_file_and_the_rest_is_scanned(tmp_path, source_guard, bad):
    root = tmp_path / "ds"
    tags = {}
    for i, name in enumerate(["b.png", "m1.png", "z.png"]):
        make_image(root / "c" / name, (800 + i, 800), color=(10 * i, 90, 200))
        tags[f"c/{name}"] = {f"tag {i}", "smile"}
        (root / "c" / name).with_suffix(".txt").write_text(", ".join(sorted(tags[f"c/{name}"])))
    _write_raw(root, b"c/" + bad, (root / "c" / "b.png").read_bytes())
    _write_raw(root, b"c/" + bad.rsplit(b".", 1)[0] + b".txt", b"lost, tags")
    source_guard(root)
    report = ops.scan(root)
    shown = os.fsencode(os.path.join("c", os.fsdecode(bad))).decode("utf-8", "backslashreplace")
    assert [f["path"] for f in report["failed"]] == [shown]
    assert "is not valid UTF-8: rename it" in report["failed"][0]["reason"]
    assert report["totals"]["active"] == 3 and report["totals"]["captioned"] == 3
    assert report["unfinished_scan"] is None
    imported = _imported_tags(root)
    assert {p: imported[p] for p in tags} == tags
    again = ops.status(root)
    assert again["failed"] == report["failed"] and again["totals"] == report["totals"]
    assert ops.scan(root)["scan"]["read"] == 0  # the failed name is remembered, not re-read every time
    from loraprep.ops.export import export

    out = tmp_path / "out"
    export(root, out)
    written = [p.read_text(encoding="utf-8") for p in out.rglob("*.txt")]
    assert len(written) == 3 and all("smile" in text for text in written)
    assert sorted(t for text in written for t in ("tag 0", "tag 1", "tag 2") if t in text) == ["tag 0", "tag 1", "tag 2"]
    assert not any("lost" in text for text in written)


@pytest.mark.skipif(not hasattr(os, "mkfifo") or not os.path.exists("/dev/zero"), reason="needs FIFOs and /dev/zero")
def test_special_files_are_per_file_errors_and_never_hang_or_fill_memory(tmp_path):
    from tests.ingest.bounded import run_bounded

    root = tmp_path / "ds"
    for name in ("fifo_caption", "zero_caption", "big_caption", "fine"):
        make_image(root / "c" / f"{name}.png", (800, 820), color=(len(name) * 9, 40, 90))
    os.mkfifo(root / "c" / "fifo_caption.txt")
    (root / "c" / "zero_caption.txt").symlink_to("/dev/zero")
    (root / "c" / "big_caption.txt").write_bytes(b"tag, " * ((2 << 20) // 5))
    (root / "c" / "fine.txt").write_text("kept, tags")
    os.mkfifo(root / "c" / "pipe.png")
    (root / "c" / "zero.jpg").symlink_to("/dev/zero")
    code = ("import json\nfrom loraprep import ops\n"
            f"report = ops.scan({str(root)!r})\n"
            "print(json.dumps({f['path']: f['reason'] for f in report['failed']}))\n")
    reasons = run_bounded(code, timeout=60)
    assert set(reasons) == {"c/pipe.png", "c/zero.jpg", "c/fifo_caption.png", "c/zero_caption.png",
                            "c/big_caption.png"}
    assert "named pipe" in reasons["c/pipe.png"] and "/dev/zero" in reasons["c/zero.jpg"]
    assert reasons["c/fifo_caption.png"].startswith("caption c/fifo_caption.txt: not a regular file")
    assert "character device" in reasons["c/zero_caption.png"]
    assert "caption too large" in reasons["c/big_caption.png"] and "1 MiB limit" in reasons["c/big_caption.png"]
    assert _imported_tags(root)["c/fine.png"] == {"kept", "tags"}


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
