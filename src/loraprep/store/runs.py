"""The runs table: what ran, with which settings, how it ended, and its per-file errors."""

from __future__ import annotations

import json
import sqlite3

from loraprep import __version__, process_identity
from loraprep.errors import DiskFullError, LoraprepError, ReadOnlyError
from loraprep.store.db import Store, now


def start_run(store: Store, command: str, settings: dict) -> int:
    """Record a run as started by this process; runs whose process died without an outcome become interrupted."""
    me = process_identity.current()
    with store.write() as conn:
        mark_interrupted_runs(conn)
        return int(conn.execute(
            "INSERT INTO runs (command, settings, version, started, pid, host, boot_id, pid_start)"
            " VALUES (?,?,?,?,?,?,?,?)",
            (command, json.dumps(settings, default=str), __version__, now(), me.pid, me.host, me.boot,
             me.start)).lastrowid)


def end_run(store: Store, run_id: int, outcome: str, counts: dict, errors: list[tuple[str, str]] = ()) -> None:
    with store.write() as conn:
        conn.execute("UPDATE runs SET ended=?, outcome=?, counts=? WHERE id=?",
                     (now(), outcome, json.dumps(counts), run_id))
        conn.executemany("INSERT INTO run_errors (run_id, path, error) VALUES (?,?,?)",
                         [(run_id, p, e) for p, e in errors])


def end_failed_runs(store: Store, command: str, exc: BaseException) -> None:
    """After ``command`` raised ``exc`` in this process: give its runs left without an outcome the outcome
    'interrupted' (Ctrl-C) or 'error', so they do not look as if still running. Best effort: the failure may
    be the store itself (full disk, read-only), and then the next run marks them."""
    me = process_identity.current()
    outcome = "error" if isinstance(exc, Exception) else "interrupted"
    try:
        with store.write() as conn:
            conn.execute("UPDATE runs SET ended=?, outcome=? WHERE command=? AND outcome IS NULL AND pid=?"
                         " AND pid_start IS ?", (now(), outcome, command, me.pid, me.start))
    except (LoraprepError, sqlite3.Error):
        pass


def last_run(store: Store, command: str) -> dict | None:
    row = store.conn.execute("SELECT * FROM runs WHERE command=? ORDER BY id DESC LIMIT 1", (command,)).fetchone()
    if row is None:
        return None
    return {"id": row["id"], "started": row["started"], "ended": row["ended"], "outcome": row["outcome"],
            "settings": json.loads(row["settings"]), "counts": json.loads(row["counts"] or "{}")}


def last_scan_unfinished(conn) -> dict | None:
    """The newest scan when it did not end well: no outcome (still running, or killed), interrupted, or an error."""
    row = conn.execute("SELECT * FROM runs WHERE command='scan' ORDER BY id DESC LIMIT 1").fetchone()
    if row is None or row["outcome"] == "ok":
        return None
    # without an outcome, its process tells a running scan from a killed one
    outcome = row["outcome"] or ("running" if run_state(row) == "running" else "interrupted")
    return {"id": row["id"], "started": row["started"], "outcome": outcome}


def run_state(row: sqlite3.Row) -> str:
    """'running', 'interrupted' (its process is gone) or 'unknown' (started on another machine) for a run
    without an outcome. A run from before pids were recorded cannot be running any more."""
    if row["pid"] is None:
        return "interrupted"
    who = process_identity.ProcessIdentity(row["pid"], row["host"] or "", row["boot_id"], row["pid_start"])
    return {True: "running", False: "interrupted", None: "unknown"}[process_identity.alive(who)]


def mark_interrupted_runs(conn: sqlite3.Connection) -> list[int]:
    """Inside a write transaction: give every run whose process died without an outcome the outcome
    'interrupted'. Should a run judged dead still end after all, end_run writes its real outcome over this."""
    dead = [row["id"] for row in conn.execute("SELECT * FROM runs WHERE outcome IS NULL")
            if run_state(row) == "interrupted"]
    conn.executemany("UPDATE runs SET outcome='interrupted' WHERE id=? AND outcome IS NULL", [(i,) for i in dead])
    return dead


def unfinished_runs(store: Store) -> list[dict]:
    """The latest run of each command, where it did not finish: still running, interrupted (killed, crashed,
    stopped) or started on another machine. Dead runs are marked on the way where the store is writable."""
    if not store.read_only and any(run_state(r) == "interrupted"
                                   for r in store.query("SELECT * FROM runs WHERE outcome IS NULL")):
        try:
            with store.write() as conn:
                mark_interrupted_runs(conn)
        except (ReadOnlyError, DiskFullError):
            pass  # a reading command still reports them, judged afresh below
    rows = store.query("SELECT * FROM runs WHERE id IN (SELECT MAX(id) FROM runs GROUP BY command)"
                       " AND (outcome IS NULL OR outcome = 'interrupted') ORDER BY id")
    return [{"id": r["id"], "command": r["command"], "started": r["started"], "pid": r["pid"], "host": r["host"],
             "state": r["outcome"] or run_state(r)} for r in rows]
