"""The health report's counts over every file and its lists of failed and small files, kept beside the store until a write to files or images moves the
store's files generation (schema triggers): `status` on a million files reads them instead of joining again."""

from __future__ import annotations

import json

from loraprep.store.atomic import write_text_atomic
from loraprep.store.db import Store
from loraprep.store.files import health_counts, health_problems

CACHE_NAME = "health-counts.json"


def generation(store: Store) -> int | None:
    """The number every write to files or images moves; None in a store without it."""
    row = store.conn.execute("SELECT n FROM files_generation WHERE id = 1").fetchone()
    return None if row is None else row[0]


def cached_health(store: Store) -> dict[str, list[tuple]]:
    """``files.health_counts`` ("counts") and ``files.health_problems`` ("failed": path, reason; "small": path,
    width, height), from the kept copy when no write came since they were read."""
    conn = store.conn
    began = not conn.in_transaction
    if began:  # one snapshot: the generation read is the one the rows were read at
        conn.execute("BEGIN")
    try:
        now = generation(store)
        path = store.state_dir / CACHE_NAME
        try:
            kept = json.loads(path.read_text(encoding="utf-8"))
            if isinstance(kept, dict) and kept.get("generation") == now and isinstance(kept.get("health"), dict):
                return {name: [tuple(row) for row in rows] for name, rows in kept["health"].items()}
        except (OSError, ValueError, AttributeError, TypeError):
            pass
        failed, small = health_problems(store)
        health = {"counts": health_counts(store), "failed": [tuple(r) for r in failed],
                  "small": [tuple(r) for r in small]}
    finally:
        if began:
            conn.execute("COMMIT")
    if not store.read_only:
        try:
            write_text_atomic(path, json.dumps({"generation": now, "health": health}))
        except OSError:  # a full or read-only disk: the next report reads them again
            pass
    return health
