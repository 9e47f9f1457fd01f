"""set_exclusions leaves exactly the wanted duplicate exclusions, touches no other exclusion, writes no unchanged row."""

from __future__ import annotations

from loraprep import ops
from loraprep.store import dedup as dedup_rows
from loraprep.store.db import open_store
from tests.conftest import make_image


def _states(conn) -> dict:
    return {r[0]: (r[1], r[2]) for r in conn.execute("SELECT path, status, reason FROM files")}


def test_only_the_rows_that_change_are_written(tmp_path):
    for at, name in enumerate(("a.png", "b.png", "c.png", "d.png", "e.png")):
        make_image(tmp_path / "c" / name, (64 + at, 64), color=(40 * at, 20, 20))
    ops.scan(tmp_path)
    with open_store(tmp_path) as store:
        ids = {r[1]: r[0] for r in store.conn.execute("SELECT id, path FROM files")}
        with store.write() as conn:
            conn.execute("UPDATE files SET status='excluded', reason='blurry' WHERE path='c/e.png'")
            dedup_rows.set_exclusions(conn, "duplicate of ", {ids["c/b.png"]: "duplicate of c/a.png (x)",
                                                              ids["c/c.png"]: "duplicate of c/a.png (y)"})
        assert _states(store.conn) == {"c/a.png": ("active", ""), "c/b.png": ("excluded", "duplicate of c/a.png (x)"),
                                       "c/c.png": ("excluded", "duplicate of c/a.png (y)"), "c/d.png": ("active", ""),
                                       "c/e.png": ("excluded", "blurry")}
        with store.write() as conn:
            written = []
            conn.set_trace_callback(lambda sql: written.append(sql) if sql.startswith("UPDATE files") else None)
            dedup_rows.set_exclusions(conn, "duplicate of ", {ids["c/b.png"]: "duplicate of c/a.png (x)",
                                                              ids["c/d.png"]: "duplicate of c/a.png (z)"})
            conn.set_trace_callback(None)
        assert _states(store.conn) == {"c/a.png": ("active", ""), "c/b.png": ("excluded", "duplicate of c/a.png (x)"),
                                       "c/c.png": ("active", ""), "c/d.png": ("excluded", "duplicate of c/a.png (z)"),
                                       "c/e.png": ("excluded", "blurry")}
        # (the trace repeats a statement for each trigger it fires: one entry per distinct row statement)
        assert sorted(int(sql.rsplit("=", 1)[1]) for sql in set(written)) == sorted([ids["c/c.png"], ids["c/d.png"]])
