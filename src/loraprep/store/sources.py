"""Provenance rows of acquired files (booru posts, video frames): what each file is and where it came from."""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass, field
from typing import Iterable

from loraprep.store.db import Store, now


@dataclass(frozen=True)
class Source:
    """Where one file of the dataset came from."""

    path: str
    sha256: str
    kind: str
    origin: str
    data: dict = field(default_factory=dict)
    at: str = ""


def _source(row: sqlite3.Row) -> Source:
    return Source(path=row["path"], sha256=row["sha256"], kind=row["kind"], origin=row["origin"],
                  data=json.loads(row["data"]), at=row["at"])


def record_sources(store: Store, sources: Iterable[Source]) -> int:
    """Insert or replace the provenance of each file (one transaction); returns how many rows were written."""
    at = now()
    rows = [(s.path, s.sha256, s.kind, s.origin, json.dumps(s.data, ensure_ascii=False, sort_keys=True), s.at or at)
            for s in sources]
    with store.write() as conn:
        conn.executemany(
            "INSERT OR REPLACE INTO sources (path, sha256, kind, origin, data, at) VALUES (?, ?, ?, ?, ?, ?)", rows)
    return len(rows)


def source_of(store: Store, path: str) -> Source | None:
    """The provenance recorded for a relative path, or None."""
    row = store.conn.execute("SELECT * FROM sources WHERE path = ?", (path,)).fetchone()
    return _source(row) if row else None


def sources_by_path(store: Store, *, kind: str | None = None) -> dict[str, Source]:
    """Every recorded source, optionally of one kind, by relative path."""
    sql, params = "SELECT * FROM sources", ()
    if kind is not None:
        sql, params = sql + " WHERE kind = ?", (kind,)
    return {row["path"]: _source(row) for row in store.conn.execute(sql, params)}


def known_origins(store: Store, kind: str) -> set[str]:
    """The origins already recorded for one kind (a rerun of an acquire command skips them)."""
    return {row[0] for row in store.conn.execute("SELECT origin FROM sources WHERE kind = ?", (kind,))}


def known_hashes(store: Store) -> set[str]:
    """Content hashes of every acquired file (a rerun skips a post whose bytes are already there)."""
    return {row[0] for row in store.conn.execute("SELECT sha256 FROM sources")}
