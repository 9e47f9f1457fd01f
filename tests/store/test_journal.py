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
    assert journal.tag_op_count(store.conn) == 5


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


# ---- operation sets ------------------------------------------------------------------------------------------
from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

IMAGES = ("a" * 64, "b" * 64, "img-3")
op_strategy = st.tuples(st.sampled_from(IMAGES), st.sampled_from(("x", "y", "z")),
                        st.sampled_from(("add", "remove", "pin", "unpin")))
batch_strategy = st.tuples(st.sampled_from(("user", "rule", "import")), st.lists(op_strategy, min_size=1, max_size=8),
                           st.sampled_from(("keep", "undo", "undo-redo")))


def model_states(done: list[tuple[str, list[tuple[str, str, str]]]]) -> dict:
    """The journal's meaning stated plainly: replay every done batch's operations in order."""
    states: dict = {}
    for source, ops in done:
        for image_id, tag, op in ops:
            per_image = states.setdefault(image_id, {})
            per_image[tag] = journal.replay(per_image.get(tag), op, source, "o")
    return states


@settings(max_examples=60, deadline=None)
@given(st.lists(batch_strategy, min_size=1, max_size=6))
def test_rows_and_sets_replay_as_the_operations_say(tmp_path_factory, batches):
    store = open_store(tmp_path_factory.mktemp("j"), create=True)
    try:
        done = []
        for source, ops, fate in batches:
            with store.write() as conn:
                journal.record_batch(conn, "b", source, [journal.TagOp(i, t, o, "o") for i, t, o in ops])
            done.append((source, ops))
            if fate != "keep" and source != "import":
                journal.undo(store)
                done.pop()
                if fate == "undo-redo":
                    journal.redo(store)
                    done.append((source, ops))
        want = model_states(done)
        assert dict(journal.tag_states(store.conn)) == want
        assert dict(journal.tag_states(store.conn, [IMAGES[0], IMAGES[2]])) == {
            i: s for i, s in want.items() if i in (IMAGES[0], IMAGES[2])}
        only_x = {i: {t: st for t, st in s.items() if t in ("x", "z")} for i, s in want.items()}
        assert {i: s for i, s in journal.tag_states(store.conn, tags=["x", "z"]).items()} == {
            i: s for i, s in only_x.items() if s}
        assert journal.tag_op_count(store.conn) == sum(len(ops) for _s, ops, _f in batches)
    finally:
        store.close()


def test_a_batch_whose_images_order_operations_alike_is_stored_as_sets(store):
    ops = [journal.TagOp(i, t, "add") for i in IMAGES for t in ("x", "y")]
    with store.write() as conn:
        batch = journal.record_batch(conn, "same order", "user", ops)
    assert store.conn.execute("SELECT COUNT(*) FROM tag_ops").fetchone()[0] == 0
    assert [tuple(r) for r in store.conn.execute("SELECT tag, packing, count FROM tag_op_sets ORDER BY seq")] == [
        ("x", "lines", 3), ("y", "lines", 3)]
    assert journal.batch_scope(store.conn, batch)[0] == set(IMAGES)
    assert journal.history(store, batch_id=batch)[0].tag_ops == 6


def test_a_batch_whose_images_order_operations_differently_stays_rows(store):
    ops = [journal.TagOp("a" * 64, "x", "add"), journal.TagOp("a" * 64, "y", "add"),
           journal.TagOp("b" * 64, "y", "add"), journal.TagOp("b" * 64, "x", "add")]
    with store.write() as conn:
        journal.record_batch(conn, "orders differ", "user", ops)
    assert store.conn.execute("SELECT COUNT(*) FROM tag_op_sets").fetchone()[0] == 0
    assert list(journal.tag_states(store.conn)["b" * 64]) == ["y", "x"]


def test_imports_stay_rows_and_can_be_read_alone(store):
    with store.write() as conn:
        journal.record_batch(conn, "import", "import", [journal.TagOp("img", t, "add", "file:a.txt") for t in "pq"])
        journal.record_batch(conn, "user", "user", [journal.TagOp("img", "r", "add")])
    assert store.conn.execute("SELECT COUNT(*) FROM tag_op_sets").fetchone()[0] == 1
    assert journal.imported_tags(store.conn, "img") == ["p", "q"]
    assert set(journal.tag_states(store.conn, ["img"], imports_only=True)["img"]) == {"p", "q"}


def test_sets_and_rows_cannot_mix_in_one_batch(store):
    with store.write() as conn, pytest.raises(ValueError):
        journal.record_batch(conn, "x", "user", [journal.TagOp("img", "a", "add")],
                             tag_sets=[journal.TagOpSet("b", "add", ("img",))])
