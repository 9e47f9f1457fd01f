"""The health report's counts read from the tally the schema's triggers keep (v11): a few rows, not a join of a
million files to their images, however recent the last write."""

from __future__ import annotations

from loraprep.store.db import Store
from loraprep.store.files import health_problems


def health_counts(store: Store) -> list[tuple]:
    """``files.health_counts`` (concept, format, *HEALTH_COUNTS per concept and format, files not gone), from the tally."""
    return [tuple(r) for r in store.conn.execute(
        "SELECT concept, NULLIF(fmt, ''), SUM(n), SUM(n * (status = 'active')), SUM(n * (status = 'failed')),"
        " SUM(n * (status = 'excluded')), SUM(n * small), SUM(n * alpha), SUM(n * animated), SUM(n * captioned)"
        " FROM health_tally WHERE status != 'gone' GROUP BY concept, NULLIF(fmt, '') HAVING SUM(n) > 0"
        " ORDER BY 1, 2")]


def count_gone(store: Store) -> int:
    return int(store.conn.execute("SELECT TOTAL(n) FROM health_tally WHERE status = 'gone'").fetchone()[0])


def health(store: Store) -> dict[str, list[tuple]]:
    """The counts ("counts") and the lists of failed ("failed": path, reason) and small files ("small": path,
    width, height), read in one snapshot; the lists come from partial indexes (schema v7)."""
    conn = store.conn
    began = not conn.in_transaction
    if began:
        conn.execute("BEGIN")
    try:
        failed, small = health_problems(store)
        return {"counts": health_counts(store), "failed": [tuple(r) for r in failed],
                "small": [tuple(r) for r in small], "gone": count_gone(store)}
    finally:
        if began:
            conn.execute("COMMIT")
