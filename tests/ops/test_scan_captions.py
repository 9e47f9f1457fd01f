"""Caption import during scan: encodings (BOM, UTF-16, the recipe's caption_encoding), captions that fail their
image until they read, and two scans at once importing a caption once."""

from __future__ import annotations

import os
import sys
import threading
from pathlib import Path

import pytest

from loraprep import ops
from loraprep.ops.export import export
from loraprep.store import journal
from loraprep.store.db import Store, open_store
from loraprep.store.files import list_files
from tests.conftest import make_image


def _dataset(root: Path, captions: dict[str, bytes]) -> Path:
    for i, (name, data) in enumerate(sorted(captions.items())):
        make_image(root / name, (800, 800 + i), color=(30 * i % 256, 60, 120))
        (root / name).with_suffix(".txt").write_bytes(data)
    return root


def _tags(root: Path) -> dict[str, list[str]]:
    with open_store(root) as store:
        ids = {f.path: f.image_id for f in list_files(store)}
        states = journal.tag_states(store.conn, imports_only=True)
    return {p: sorted(t for t, s in states.get(i, {}).items() if s.imported) for p, i in ids.items()}


def _status(root: Path) -> dict[str, tuple[str, str]]:
    with open_store(root) as store:
        return {f.path: (f.status, f.reason) for f in list_files(store)}


def _touch_later(path: Path) -> None:
    st = path.stat()
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns + 2_000_000_000))


@pytest.mark.parametrize("codec", ["utf-16", "utf-16-le", "utf-16-be", "utf-32", "utf-8-sig"])
def test_unicode_captions_are_imported_and_exported_as_text(tmp_path, codec):
    text = "cat_ears, 猫耳, long hair\r\n"
    root = _dataset(tmp_path / "ds", {"c/a.png": text.encode(codec), "c/b.png": b"plain, smile"})
    ops.scan(root)
    assert _tags(root)["c/a.png"] == sorted(["cat ears", "猫耳", "long hair"])
    out = tmp_path / "out"
    export(root, out)
    written = sorted(p.read_text(encoding="utf-8") for p in out.rglob("*.txt"))
    assert any("猫耳" in w and "cat ears" in w for w in written) and not any("\x00" in w for w in written)


@pytest.mark.parametrize("text, codec", [("café, crème brûlée", "cp1252"), ("猫耳, 笑顔", "shift_jis"),
                                         ("소녀, 미소", "euc-kr")])
def test_legacy_caption_fails_its_image_until_the_recipe_names_the_encoding(tmp_path, text, codec, source_guard):
    root = _dataset(tmp_path / "ds", {"c/a.png": text.encode(codec), "c/b.png": b"fine, tags"})
    source_guard(root)
    report = ops.scan(root)
    reason = _status(root)["c/a.png"]
    assert reason[0] == "failed" and reason[1].startswith("caption c/a.txt: caption is not valid UTF-8")
    assert f'caption_encoding = "{codec}"' in reason[1]
    assert [f["path"] for f in report["failed"]] == ["c/a.png"] and report["scan"]["caption_failed"] == 1
    out = tmp_path / "out"
    export(root, out)
    assert len(list(out.rglob("*.txt"))) == 1  # no mojibake caption, and no image without its caption
    (root / "loraprep.toml").write_text(f'caption_encoding = "{codec}"\n')
    report = ops.scan(root)
    assert _status(root)["c/a.png"] == ("active", "") and report["scan"]["caption_restored"] == 1
    assert _tags(root)["c/a.png"] == sorted(t.strip() for t in text.split(","))


def test_a_concept_can_name_its_own_caption_encoding(tmp_path):
    root = _dataset(tmp_path / "ds", {"fr/a.png": "crème, café".encode("cp1252"),
                                      "jp/b.png": "猫耳, 笑顔".encode("shift_jis")})
    (root / "loraprep.toml").write_text('caption_encoding = "cp1252"\n[concepts.jp]\ncaption_encoding = "shift_jis"\n')
    ops.scan(root)
    assert _tags(root) == {"fr/a.png": ["café", "crème"], "jp/b.png": ["猫耳", "笑顔"]}


def test_fixing_or_removing_the_caption_makes_the_image_active_again(tmp_path):
    root = _dataset(tmp_path / "ds", {"c/a.png": b"\x93bad\x94, x", "c/b.png": b"\xff\xfe\xff", "c/z.png": b"ok"})
    ops.scan(root)
    assert [s for s, _ in _status(root).values()] == ["failed", "failed", "active"]
    assert ops.scan(root)["scan"]["caption_failed"] == 2  # still failing, reason kept
    (root / "c" / "a.txt").write_text("good, now", encoding="utf-8")
    _touch_later(root / "c" / "a.txt")
    (root / "c" / "b.txt").unlink()
    ops.scan(root)
    assert _status(root) == {"c/a.png": ("active", ""), "c/b.png": ("active", ""), "c/z.png": ("active", "")}
    assert _tags(root)["c/a.png"] == ["good", "now"]


def test_excluded_image_keeps_its_own_reason_and_the_caption_is_a_warning(tmp_path):
    root = _dataset(tmp_path / "ds", {"c/a.png": b"fine", "c/b.png": b"also fine"})
    ops.scan(root)
    with open_store(root) as store, store.write() as conn:
        conn.execute("UPDATE files SET status='excluded', reason='user' WHERE path='c/a.png'")
    (root / "c" / "a.txt").write_bytes("naïve".encode("cp1252"))
    _touch_later(root / "c" / "a.txt")
    report = ops.scan(root)
    assert _status(root)["c/a.png"] == ("excluded", "user")
    assert [w["path"] for w in report["warnings"]] == ["c/a.txt"] and "cp1252" in report["warnings"][0]["warning"]


def _called_from(name: str) -> bool:
    frame = sys._getframe(2)
    while frame is not None:
        if name in frame.f_code.co_name:
            return True
        frame = frame.f_back
    return False


def test_two_scans_at_once_import_each_caption_once(tmp_path, monkeypatch):
    # Scan A reads the captions, then stops right before its write transaction; scan B runs whole meanwhile;
    # then A goes on. A must see what B recorded and import nothing twice.
    root = _dataset(tmp_path / "ds", {f"c/{i:02}.png": f"tag {i}, shared, x{i % 3}".encode() for i in range(7)})
    reached, resume = threading.Event(), threading.Event()
    original = Store.write

    def write(self):
        if threading.current_thread().name == "scan-a" and _called_from("import_captions") and not reached.is_set():
            reached.set()
            assert resume.wait(60), "scan B did not finish"
        return original(self)

    monkeypatch.setattr(Store, "write", write)
    failures = []
    first = threading.Thread(target=lambda: _catch(failures, ops.scan, root), name="scan-a")
    first.start()
    try:
        assert reached.wait(60), "scan A never reached the caption import"
        ops.scan(root)
    finally:
        resume.set()
        first.join(60)
    assert not first.is_alive() and not failures
    with open_store(root) as store:
        adds = store.query("SELECT image_id, tag, COUNT(*) AS n FROM tag_ops WHERE source='import' AND op='add'"
                           " GROUP BY image_id, tag")
        batches = store.query("SELECT COUNT(*) FROM batches WHERE label='import captions'")[0][0]
    assert len(adds) == 7 * 3 and {r["n"] for r in adds} == {1} and batches == 1
    assert _tags(root)["c/03.png"] == ["shared", "tag 3", "x0"]


def _catch(failures: list, fn, *args) -> None:
    try:
        fn(*args)
    except BaseException as exc:  # reported by the main thread
        failures.append(exc)
