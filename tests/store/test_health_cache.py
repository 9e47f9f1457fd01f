"""`status` keeps its counts over every file until a write to files or images moves the store's generation."""

from __future__ import annotations

from pathlib import Path

import pytest

from loraprep import ops
from loraprep.store import files as file_rows
from loraprep.store import health_cache
from loraprep.store.db import _statements, open_store
from tests.conftest import make_image


def _dataset(root: Path) -> Path:
    make_image(root / "cats" / "a.png", (700, 900), color=(200, 20, 20))
    make_image(root / "cats" / "b.jpg", (1024, 1024), color=(20, 200, 20))
    make_image(root / "dogs" / "c.webp", (300, 500), color=(20, 20, 200), fmt="WEBP")
    (root / "dogs" / "c.txt").write_text("dog, grass", encoding="utf-8")
    ops.scan(root)
    return root


def _fresh(root: Path) -> dict[str, list[tuple]]:
    with open_store(root) as store:
        failed, small = file_rows.health_problems(store)
        return {"counts": file_rows.health_counts(store), "failed": [tuple(r) for r in failed],
                "small": [tuple(r) for r in small]}


def _no_recount(monkeypatch) -> None:
    def refuse(_store):
        raise AssertionError("counted again though nothing was written")

    monkeypatch.setattr(health_cache, "health_counts", refuse)
    monkeypatch.setattr(health_cache, "health_problems", refuse)


def test_status_counts_once_then_reads_them_until_a_write(tmp_path, monkeypatch):
    root = _dataset(tmp_path / "set")
    first = ops.status(root)
    with monkeypatch.context() as patch:
        _no_recount(patch)
        assert ops.status(root) == first  # nothing written: the kept counts
    with open_store(root) as store, store.write() as conn:
        conn.execute("UPDATE files SET status = 'excluded', reason = 'user' WHERE path = 'cats/a.png'")
    moved = ops.status(root)
    cats = next(c for c in moved["concepts"] if c["concept"] == "cats")
    assert (cats["active"], cats["excluded"]) == (1, 1)
    with open_store(root) as store:
        assert health_cache.cached_health(store) == _fresh(root)


@pytest.mark.parametrize("write", [
    "INSERT INTO files (path, image_id, concept, size, mtime_ns, status, first_seen, last_seen)"
    " VALUES ('birds/new.png', NULL, 'birds', 1, 1, 'failed', 'x', 'x')",
    "UPDATE files SET concept = 'other' WHERE path = 'dogs/c.webp'",
    "UPDATE files SET caption_path = NULL",
    "UPDATE files SET small = 0",
    "UPDATE files SET status = 'failed', reason = 'truncated' WHERE path = 'cats/b.jpg'",
    "UPDATE images SET width = 4000, height = 4000",
    "DELETE FROM files WHERE path = 'cats/b.jpg'",
    "UPDATE images SET has_alpha = 1",
    "INSERT OR REPLACE INTO images (id, format) SELECT id, 'GIF' FROM images LIMIT 1",
    "DELETE FROM images WHERE id = (SELECT image_id FROM files WHERE path = 'cats/a.png')",
])
def test_every_write_to_files_or_images_moves_the_counts(tmp_path, write):
    root = _dataset(tmp_path / "set")
    with open_store(root) as store:
        before = health_cache.cached_health(store)
        store.conn.execute("PRAGMA foreign_keys = OFF")  # a file's image deleted under it: its facts change
        with store.write() as conn:
            conn.execute(write)
        after = health_cache.cached_health(store)
    assert after == _fresh(root)
    assert after != before


def test_migration_statements_keep_trigger_bodies_whole():
    script = ("CREATE TABLE t (a INTEGER); -- a comment\n"
              "CREATE TRIGGER t_ins AFTER INSERT ON t BEGIN UPDATE t SET a = a + 1; SELECT 1; END;\n"
              "CREATE INDEX t_a ON t(a);\n")
    statements = [s.strip() for s in _statements(script)]
    assert len(statements) == 3
    assert "CREATE TRIGGER" in statements[1] and statements[1].endswith("SELECT 1; END;")
