"""The state store: migrations, newer-version refusal, corrupt file, and two processes writing at once."""

from __future__ import annotations

import multiprocessing
import sqlite3

import pytest

from loraprep.errors import DatasetError
from loraprep.store import journal
from loraprep.store.db import open_store
from loraprep.store.schema import SCHEMA_VERSION


def test_creates_wal_store_at_current_version(tmp_path):
    with open_store(tmp_path, create=True) as store:
        assert store.conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
        assert store.conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert (tmp_path / ".loraprep" / "state.sqlite").exists()


def test_newer_schema_is_refused(tmp_path):
    open_store(tmp_path, create=True).close()
    conn = sqlite3.connect(tmp_path / ".loraprep" / "state.sqlite")
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 5}")
    conn.close()
    with pytest.raises(DatasetError, match="newer loraprep"):
        open_store(tmp_path)


def test_garbage_database_is_a_clear_error(tmp_path):
    (tmp_path / ".loraprep").mkdir()
    (tmp_path / ".loraprep" / "state.sqlite").write_bytes(b"definitely not sqlite" * 100)
    with pytest.raises(DatasetError, match="unreadable") as caught:
        open_store(tmp_path)
    # The folder holds the edit journal: the hint keeps it, never moves it aside or rebuilds it from scratch.
    hint = caught.value.hint.lower()
    assert "keep" in hint and "aside" not in hint and "rebuild" not in hint


def test_not_a_folder(tmp_path):
    f = tmp_path / "file.txt"
    f.write_text("x")
    with pytest.raises(DatasetError, match="not a folder"):
        open_store(f, create=True)


def _writer(root: str, worker: int, n: int) -> None:
    store = open_store(root)
    for i in range(n):
        with store.write() as conn:
            journal.record_batch(conn, f"w{worker}-{i}", "user",
                                 [journal.TagOp(f"img{worker}", f"tag{i}", "add")])
    store.close()


def test_two_processes_write_without_loss(tmp_path):
    open_store(tmp_path, create=True).close()
    ctx = multiprocessing.get_context("spawn")
    procs = [ctx.Process(target=_writer, args=(str(tmp_path), w, 60)) for w in range(2)]
    for p in procs:
        p.start()
    for p in procs:
        p.join(60)
        assert p.exitcode == 0
    with open_store(tmp_path) as store:
        assert store.conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert journal.tag_op_count(store.conn) == 120
        assert store.conn.execute("SELECT COUNT(*) FROM batches").fetchone()[0] == 120
