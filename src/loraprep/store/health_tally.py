"""The health report's counts read from the tally the schema's triggers keep (v11): a few rows, not a join of a
million files to their images, however recent the last write; its lists of failed and small files kept beside
the store until a write touches a failed or small file."""

from __future__ import annotations

import json

from loraprep.store.atomic import write_text_atomic
from loraprep.store.db import Store
from loraprep.store.files import health_problems

LISTS_NAME = "health-lists.json"


def health_counts(store: Store) -> list[tuple]:
    """``files.health_counts`` (concept, format, *HEALTH_COUNTS per concept and format, files not gone), from the tally."""
    return [tuple(r) for r in store.conn.execute(
        "SELECT concept, NULLIF(fmt, ''), SUM(n), SUM(n * (status = 'active')), SUM(n * (status = 'failed')),"
        " SUM(n * (status = 'excluded')), SUM(n * small), SUM(n * alpha), SUM(n * animated), SUM(n * captioned)"
        " FROM health_tally WHERE status != 'gone' GROUP BY concept, NULLIF(fmt, '') HAVING SUM(n) > 0"
        " ORDER BY 1, 2")]


def count_gone(store: Store) -> int:
    return int(store.conn.execute("SELECT TOTAL(n) FROM health_tally WHERE status = 'gone'").fetchone()[0])


def health(store: Store) -> dict:
    """The counts ("counts"), the lists of failed ("failed": path, reason) and small files ("small": path,
    width, height), and how many files are gone ("gone"), read in one snapshot."""
    conn = store.conn
    began = not conn.in_transaction
    if began:
        conn.execute("BEGIN")
    try:
        return {"counts": health_counts(store), **_lists(store), "gone": count_gone(store)}
    finally:
        if began:
            conn.execute("COMMIT")


def _lists(store: Store) -> dict[str, list[tuple]]:
    # Every write that adds, removes or changes a failed or small file (its path, reason, or image's size) moves
    # a tally row of that kind: their changes and counts say whether the kept lists still hold.
    key = list(store.conn.execute("SELECT TOTAL(changes), TOTAL(n) FROM health_tally"
                                  " WHERE small != 0 OR status = 'failed'").fetchone())
    path = store.state_dir / LISTS_NAME
    try:
        kept = json.loads(path.read_text(encoding="utf-8"))
        if kept["key"] == key:
            return {name: [tuple(row) for row in kept[name]] for name in ("failed", "small")}
    except (OSError, ValueError, KeyError, TypeError):
        pass
    failed, small = health_problems(store)
    lists = {"failed": [tuple(r) for r in failed], "small": [tuple(r) for r in small]}
    if not store.read_only:
        try:
            write_text_atomic(path, json.dumps({"key": key, **lists}))
        except OSError:  # a full or read-only disk: the next report reads them again
            pass
    return lists
