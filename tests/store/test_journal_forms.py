"""The v3 journal: operation sets replay as their rows would, and a v2 store's journal survives v3."""

from __future__ import annotations

import hashlib
import random
import sqlite3

import pytest

from loraprep.store import journal
from loraprep.store.db import open_store
from loraprep.store.schema import MIGRATIONS, SCHEMA_VERSION


def _sha(n: int) -> str:
    return hashlib.sha256(str(n).encode()).hexdigest()


def _as_lists(states) -> dict:
    """States with each image's tag order made visible (dict equality ignores order)."""
    return {i: list(per.items()) for i, per in states.items()}


@pytest.mark.parametrize("seed", range(20))
def test_batches_recorded_as_sets_replay_like_the_same_batches_as_rows(tmp_path, seed):
    """The same random batches (several ops on one image, user and rule sources, imports between) written once
    as sets where possible and once forced to rows replay to the same states, in the same per-image order."""
    rng = random.Random(seed)
    images = [_sha(i) for i in range(6)] + ["plain-id"]
    tags = ["a", "b", "c", "d"]
    batches = []
    for _ in range(8):
        source = rng.choice(["user", "user", "rule", "import"])
        ops = []
        for image in rng.sample(images, rng.randint(1, len(images))):
            for tag in rng.sample(tags, rng.randint(1, 3)):
                op = rng.choice(["add", "remove"] + (["pin", "unpin"] if source == "user" else []))
                ops.append(journal.TagOp(image, tag, op, rng.choice(["user", "rule:x"]) if source == "rule" else
                                         ("file:x.txt" if source == "import" else "user")))
        rng.shuffle(ops)
        batches.append((source, ops))
    undo_at = rng.randrange(len(batches))

    def build(folder, force_rows: bool):
        folder.mkdir()
        store = open_store(folder, create=True)
        for k, (source, ops) in enumerate(batches):
            with store.write() as conn:
                if force_rows:
                    original = journal.as_sets
                    journal.as_sets = lambda _ops: None
                    try:
                        journal.record_batch(conn, f"b{k}", source, ops)
                    finally:
                        journal.as_sets = original
                else:
                    journal.record_batch(conn, f"b{k}", source, ops)
            if k == undo_at and source != "import":
                journal.undo(store)
                journal.redo(store)
        return store

    as_sets, as_rows = build(tmp_path / "sets", False), build(tmp_path / "rows", True)
    try:
        assert as_sets.conn.execute("SELECT COUNT(*) FROM tag_op_sets").fetchone()[0] > 0
        assert as_rows.conn.execute("SELECT COUNT(*) FROM tag_op_sets").fetchone()[0] == 0
        assert _as_lists(journal.tag_states(as_sets.conn)) == _as_lists(journal.tag_states(as_rows.conn))
        some = images[:3]
        assert _as_lists(journal.tag_states(as_sets.conn, some, tags=["a", "c"])) == \
            _as_lists(journal.tag_states(as_rows.conn, some, tags=["a", "c"]))
        assert journal.tag_op_count(as_sets.conn) == journal.tag_op_count(as_rows.conn)
        assert [b.tag_ops for b in journal.history(as_sets)] == [b.tag_ops for b in journal.history(as_rows)]
    finally:
        as_sets.close()
        as_rows.close()


def test_a_v2_store_keeps_its_journal_and_takes_sets_after_the_migration(tmp_path):
    folder = tmp_path / ".loraprep"
    folder.mkdir()
    conn = sqlite3.connect(folder / "state.sqlite")
    conn.executescript(MIGRATIONS[0])
    conn.executescript(MIGRATIONS[1])
    at = "2024-01-01T00:00:00.000+00:00"
    conn.executemany("INSERT INTO batches (id, at, label, source, state) VALUES (?,?,?,?,?)",
                     [(1, at, "import captions", "import", "done"), (2, at, "add x", "user", "done"),
                      (3, at, "remove a", "user", "undone")])
    conn.executemany("INSERT INTO tag_ops (batch_id, image_id, tag, op, source, origin, at) VALUES (?,?,?,?,?,?,?)",
                     [(1, "img", "a", "add", "import", "file:img.txt", at),
                      (1, "img", "b", "add", "import", "file:img.txt", at),
                      (2, "img", "x", "add", "user", "user", at),
                      (3, "img", "a", "remove", "user", "user", at)])
    conn.execute("INSERT INTO journal_events (batch_id, event, at) VALUES (3, 'undo', ?)", (at,))
    conn.execute("PRAGMA user_version = 2")
    conn.commit()
    conn.close()
    with open_store(tmp_path) as store:
        assert store.conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
        states = journal.tag_states(store.conn)["img"]
        assert list(states) == ["a", "b", "x"] and states["a"].imported and states["a"].user is None
        assert journal.redo(store).label == "remove a"
        assert journal.tag_states(store.conn)["img"]["a"].user == "remove"
        with store.write() as conn:
            batch = journal.record_batch(conn, "add y", "user", tag_sets=[journal.TagOpSet("y", "add", ("img",))])
        assert list(journal.tag_states(store.conn)["img"]) == ["a", "b", "x", "y"]
        assert journal.history(store, batch_id=batch)[0].tag_ops == 1
        assert journal.tag_op_count(store.conn) == 5
        assert journal.batch_scope(store.conn, batch) == ({"img"}, {"y"})
