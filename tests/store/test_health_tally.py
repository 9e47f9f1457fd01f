"""The health report's counts kept by the schema's triggers equal a fresh count of every file after any write."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from loraprep import ops
from loraprep.store import files as file_rows
from loraprep.store import health_tally
from loraprep.store.db import _statements, open_store
from tests.conftest import make_image


def _dataset(root: Path) -> Path:
    make_image(root / "cats" / "a.png", (700, 900), color=(200, 20, 20))
    make_image(root / "cats" / "b.jpg", (1024, 1024), color=(20, 200, 20))
    make_image(root / "dogs" / "c.webp", (300, 500), color=(20, 20, 200), fmt="WEBP")
    (root / "dogs" / "c.txt").write_text("dog, grass", encoding="utf-8")
    ops.scan(root)
    return root


def _kept_and_fresh(store) -> tuple[tuple, tuple]:
    gone = store.conn.execute("SELECT COUNT(*) FROM files WHERE status = 'gone'").fetchone()[0]
    failed, small = file_rows.health_problems(store)
    kept = health_tally.health(store)
    return ((kept["counts"], kept["gone"], kept["failed"], kept["small"]),
            (file_rows.health_counts(store), gone, [tuple(r) for r in failed], [tuple(r) for r in small]))


@pytest.mark.parametrize("write", [
    "INSERT INTO files (path, image_id, concept, size, mtime_ns, status, first_seen, last_seen)"
    " VALUES ('birds/new.png', NULL, 'birds', 1, 1, 'failed', 'x', 'x')",
    "INSERT INTO files (path, image_id, concept, size, mtime_ns, status, first_seen, last_seen)"
    " SELECT 'cats/copy.png', image_id, 'cats', 1, 1, 'active', 'x', 'x' FROM files WHERE path = 'cats/a.png'",
    "UPDATE files SET concept = 'other' WHERE path = 'dogs/c.webp'",
    "UPDATE files SET caption_path = NULL",
    "UPDATE files SET small = 0",
    "UPDATE files SET status = 'gone' WHERE path = 'cats/a.png'",
    "UPDATE files SET status = 'failed', reason = 'truncated' WHERE path = 'cats/b.jpg'",
    "UPDATE files SET image_id = (SELECT image_id FROM files WHERE path = 'cats/a.png') WHERE path = 'dogs/c.webp'",
    "DELETE FROM files WHERE path = 'cats/b.jpg'",
    "UPDATE images SET has_alpha = 1",
    "UPDATE images SET format = NULL, animated = 1 WHERE format = 'PNG'",
    "UPDATE images SET id = 'renamed' WHERE format = 'JPEG'",
    "INSERT OR REPLACE INTO images (id, format) SELECT id, 'GIF' FROM images WHERE format = 'WEBP'",
    "DELETE FROM images WHERE id = (SELECT image_id FROM files WHERE path = 'cats/a.png')",
    "UPDATE files SET path = 'dogs/renamed.webp' WHERE path = 'dogs/c.webp'",  # a small file renamed
    "UPDATE images SET width = 290 WHERE format = 'WEBP'",  # a small file's size, as the report shows it
    "UPDATE files SET reason = 'other words' WHERE status = 'failed'",
])
def test_every_write_to_files_or_images_keeps_the_counts_exact(tmp_path, write):
    root = _dataset(tmp_path / "set")
    with open_store(root) as store:
        store.conn.execute("UPDATE files SET status = 'failed', reason = 'truncated' WHERE path = 'cats/a.png'")
        before, _ = _kept_and_fresh(store)  # the lists are kept from here on
        store.conn.execute("PRAGMA foreign_keys = OFF")  # a file's image changed under it: its facts change
        with store.write() as conn:
            conn.execute(write)
        kept, fresh = _kept_and_fresh(store)
    assert kept == fresh


def test_random_writes_keep_the_counts_exact(tmp_path):
    """Files and images written in random order, shared images, replaced and deleted rows, bulk updates."""
    root = tmp_path / "gen"
    root.mkdir()
    rng = random.Random(7)
    with open_store(root, create=True) as store:
        store.conn.execute("PRAGMA foreign_keys = OFF")  # files may name images written later, or never
        ids = [f"img{i}" for i in range(40)]
        for step in range(600):
            action = rng.random()
            with store.write() as conn:
                if action < 0.3:
                    conn.execute("INSERT OR REPLACE INTO images (id, format, has_alpha, animated) VALUES (?,?,?,?)",
                                 (rng.choice(ids), rng.choice(["PNG", "JPEG", "WEBP", None, ""]),
                                  rng.randint(0, 1), rng.randint(0, 1)))
                elif action < 0.6:
                    conn.execute(
                        "INSERT OR IGNORE INTO files (path, image_id, concept, size, mtime_ns, status, small,"
                        " caption_path, first_seen, last_seen) VALUES (?,?,?,1,1,?,?,?,'x','x')",
                        (f"c{rng.randint(0, 3)}/{rng.randint(0, 80)}.png", rng.choice(ids + [None]),
                         f"c{rng.randint(0, 3)}", rng.choice(["active", "excluded", "failed", "gone"]),
                         rng.randint(0, 1), rng.choice([None, "", "x.txt"])))
                elif action < 0.75:
                    conn.execute("UPDATE files SET status = ?, small = ? WHERE id % 5 = ?",
                                 (rng.choice(["active", "excluded", "gone"]), rng.randint(0, 1), rng.randint(0, 4)))
                elif action < 0.85:
                    conn.execute("UPDATE images SET format = ?, has_alpha = NOT has_alpha WHERE id = ?",
                                 (rng.choice(["PNG", "GIF", None]), rng.choice(ids)))
                elif action < 0.93:
                    conn.execute("DELETE FROM files WHERE id = (SELECT id FROM files ORDER BY random() LIMIT 1)")
                else:
                    conn.execute("DELETE FROM images WHERE id = ?", (rng.choice(ids),))
            if step % 25 == 24:
                kept, fresh = _kept_and_fresh(store)
                assert kept == fresh, f"step {step}"
        kept, fresh = _kept_and_fresh(store)
        assert kept == fresh and fresh[0]


def test_the_lists_are_read_again_only_after_a_write_to_a_failed_or_small_file(tmp_path, monkeypatch):
    root = _dataset(tmp_path / "set")
    first = ops.status(root)
    assert {s["path"] for s in first["small"]} == {"cats/a.png", "dogs/c.webp"}

    def refuse(_store):
        raise AssertionError("listed again though no failed or small file changed")

    with monkeypatch.context() as patch:
        patch.setattr(health_tally, "health_problems", refuse)
        assert ops.status(root) == first
        with open_store(root) as store, store.write() as conn:  # a write to another file keeps the lists
            conn.execute("UPDATE files SET status = 'excluded', reason = 'user' WHERE path = 'cats/b.jpg'")
        assert ops.status(root)["small"] == first["small"]
    with open_store(root) as store, store.write() as conn:
        conn.execute("UPDATE files SET status = 'failed', reason = 'truncated' WHERE path = 'cats/b.jpg'")
    assert [f["path"] for f in ops.status(root)["failed"]] == ["cats/b.jpg"]


def test_status_reads_the_tally_after_a_write(tmp_path, monkeypatch):
    root = _dataset(tmp_path / "set")
    with open_store(root) as store, store.write() as conn:
        conn.execute("UPDATE files SET status = 'excluded', reason = 'user' WHERE path = 'cats/a.png'")

    def refuse(_store):
        raise AssertionError("joined every file again")

    monkeypatch.setattr(file_rows, "health_counts", refuse)
    report = ops.status(root)
    cats = next(c for c in report["concepts"] if c["concept"] == "cats")
    assert (cats["images"], cats["active"], cats["excluded"], cats["formats"]) == (2, 1, 1, {"PNG": 1, "JPEG": 1})
    dogs = next(c for c in report["concepts"] if c["concept"] == "dogs")
    assert (dogs["small"], dogs["captioned"], dogs["formats"]) == (1, 1, {"WEBP": 1})


def test_migration_statements_keep_trigger_bodies_whole():
    script = ("CREATE TABLE t (a INTEGER); -- a comment\n"
              "CREATE TRIGGER t_ins AFTER INSERT ON t BEGIN UPDATE t SET a = a + 1; SELECT 1; END;\n"
              "CREATE INDEX t_a ON t(a);\n")
    statements = [s.strip() for s in _statements(script)]
    assert len(statements) == 3
    assert "CREATE TRIGGER" in statements[1] and statements[1].endswith("SELECT 1; END;")
