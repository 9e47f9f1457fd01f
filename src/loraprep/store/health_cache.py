"""The health report's counts over every file, kept beside the store until a write to files or images moves the
store's files generation (schema triggers): `status` on a million files reads them instead of joining again."""

from __future__ import annotations

import json

from loraprep.store.atomic import write_text_atomic
from loraprep.store.db import Store
from loraprep.store.files import health_counts

CACHE_NAME = "health-counts.json"


def generation(store: Store) -> int | None:
    """The number every write to files or images moves; None in a store without it."""
    row = store.conn.execute("SELECT n FROM files_generation WHERE id = 1").fetchone()
    return None if row is None else row[0]


def cached_health_counts(store: Store) -> list[tuple]:
    """``files.health_counts``, from the kept copy when no write came since it was counted."""
    conn = store.conn
    began = not conn.in_transaction
    if began:  # one snapshot: the generation read is the one the counts were taken at
        conn.execute("BEGIN")
    try:
        now = generation(store)
        path = store.state_dir / CACHE_NAME
        try:
            kept = json.loads(path.read_text(encoding="utf-8"))
            if isinstance(kept, dict) and kept.get("generation") == now and isinstance(kept.get("rows"), list):
                return [tuple(row) for row in kept["rows"]]
        except (OSError, ValueError):
            pass
        rows = health_counts(store)
    finally:
        if began:
            conn.execute("COMMIT")
    if not store.read_only:
        try:
            write_text_atomic(path, json.dumps({"generation": now, "rows": rows}))
        except OSError:  # a full or read-only disk: the next report counts again
            pass
    return rows
