"""The journal: replay order, undo/redo by batch, redo stack abandoned by a new edit, nothing deleted."""

from __future__ import annotations

import pytest

from loraprep.errors import DatasetError
from loraprep.store import journal
from loraprep.store.db import open_store


@pytest.fixture
def store(tmp_path):
    s = open_store(tmp_path, create=True)
    yield s
    s.close()


def _ops(store, label, *ops, source="user"):
    with store.write() as conn:
        journal.record_batch(conn, label, source, [journal.TagOp("img", t, op) for t, op in ops])


def test_replay_user_import_and_undo_redo(store):
    _ops(store, "import", ("a", "add"), ("b", "add"), source="import")
    _ops(store, "rm a", ("a", "remove"))
    _ops(store, "pin c", ("c", "pin"))
    states = journal.tag_states(store.conn)["img"]
    assert states["a"].imported and states["a"].user == "remove" and states["c"].user == "pin"
    assert journal.undo(store).label == "pin c"
    assert "c" not in journal.tag_states(store.conn)["img"]
    assert journal.undo(store).label == "rm a"
    assert journal.tag_states(store.conn)["img"]["a"].user is None
    assert journal.redo(store).label == "rm a"
    assert journal.tag_states(store.conn)["img"]["a"].user == "remove"
    _ops(store, "new edit", ("d", "add"))
    with pytest.raises(DatasetError, match="nothing to redo"):
        journal.redo(store)
    assert store.conn.execute("SELECT COUNT(*) FROM tag_ops").fetchone()[0] == 5


def test_imports_are_not_undone(store):
    _ops(store, "import", ("a", "add"), source="import")
    with pytest.raises(DatasetError, match="nothing to undo"):
        journal.undo(store)


def test_file_ops_undo_restores_status(store):
    conn = store.conn
    conn.execute("INSERT INTO files (path, concept, size, mtime_ns, status, first_seen, last_seen)"
                 " VALUES ('x.png', '', 1, 1, 'active', 'now', 'now')")
    with store.write() as c:
        journal.record_batch(c, "exclude", "user", file_ops=[journal.FileOp(1, "status", "active", "excluded")])
    assert conn.execute("SELECT status, reason FROM files").fetchone()[:] == ("excluded", "user")
    journal.undo(store)
    assert conn.execute("SELECT status FROM files").fetchone()[0] == "active"
    journal.redo(store)
    assert conn.execute("SELECT status FROM files").fetchone()[0] == "excluded"
