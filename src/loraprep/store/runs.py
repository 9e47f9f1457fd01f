"""The runs table: what ran, with which settings, how it ended, and its per-file errors."""

from __future__ import annotations

import json

from loraprep import __version__
from loraprep.store.db import Store, now


def start_run(store: Store, command: str, settings: dict) -> int:
    with store.write() as conn:
        return int(conn.execute(
            "INSERT INTO runs (command, settings, version, started) VALUES (?,?,?,?)",
            (command, json.dumps(settings, default=str), __version__, now())).lastrowid)


def end_run(store: Store, run_id: int, outcome: str, counts: dict, errors: list[tuple[str, str]] = ()) -> None:
    with store.write() as conn:
        conn.execute("UPDATE runs SET ended=?, outcome=?, counts=? WHERE id=?",
                     (now(), outcome, json.dumps(counts), run_id))
        conn.executemany("INSERT INTO run_errors (run_id, path, error) VALUES (?,?,?)",
                         [(run_id, p, e) for p, e in errors])


def last_run(store: Store, command: str) -> dict | None:
    row = store.conn.execute("SELECT * FROM runs WHERE command=? ORDER BY id DESC LIMIT 1", (command,)).fetchone()
    if row is None:
        return None
    return {"id": row["id"], "started": row["started"], "ended": row["ended"], "outcome": row["outcome"],
            "settings": json.loads(row["settings"]), "counts": json.loads(row["counts"] or "{}")}


def last_scan_unfinished(conn) -> dict | None:
    """The newest scan when it did not end well: no outcome (still running, or killed), interrupted, or an error."""
    row = conn.execute("SELECT id, started, outcome FROM runs WHERE command='scan' ORDER BY id DESC LIMIT 1").fetchone()
    if row is None or row["outcome"] == "ok":
        return None
    return {"id": row["id"], "started": row["started"], "outcome": row["outcome"]}
