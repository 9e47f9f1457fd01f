"""Derived images (crops): a box on a source image with its own id, a files row and a regenerable PNG cache.

A derived image is listed, tagged, deduplicated, curated and exported like any file: it has a ``files`` row whose
path is its cached pixels, ``.loraprep/derived/<id>.png``, and an ``images`` row keyed by its id (sha256 of
source id + kind + box). The ``derived`` table keeps its provenance. Scan never walks ``.loraprep/``, so it
neither imports the cache as new files nor marks derived rows gone (files.scan_rows leaves them out).
"""

from __future__ import annotations

import hashlib
import sqlite3
from dataclasses import dataclass
from pathlib import Path

from loraprep.store.atomic import write_bytes_atomic
from loraprep.store.db import STATE_DIR, Store

DERIVED_FOLDER = f"{STATE_DIR}/derived"


@dataclass(frozen=True)
class Derived:
    """One derived image: where it comes from and which box of its source it holds."""

    id: str
    source: str                       # the source image's content id
    kind: str                         # 'crop'
    what: str                         # person | halfbody | head | face | user
    box: tuple[int, int, int, int]    # x0, y0, x1, y1 in source pixels (displayed orientation)
    made_by: str                      # 'detect:<model key>' or 'user'
    at: str = ""


def derived_id(source: str, box: tuple[int, int, int, int], kind: str = "crop") -> str:
    """The id of a box on a source: the same box on the same source is always the same derived image."""
    return hashlib.sha256(f"{kind}:{source}:{','.join(str(int(v)) for v in box)}".encode()).hexdigest()


def derived_path(image_id: str) -> str:
    """The files-row path of a derived image (its cached pixels), relative to the dataset root."""
    return f"{DERIVED_FOLDER}/{image_id}.png"


def is_derived_path(path: str) -> bool:
    return path.startswith(DERIVED_FOLDER + "/")


def _row(row: sqlite3.Row) -> Derived:
    return Derived(row["id"], row["source"], row["kind"], row["what"], (row["x0"], row["y0"], row["x1"], row["y1"]),
                   row["made_by"], row["at"])


def add_derived(conn: sqlite3.Connection, item: Derived, *, concept: str, tier: str, size: int,
                status: str, reason: str, at: str) -> int:
    """Record a derived image with its images and files rows (inside the caller's transaction); returns the
    file id. Recording one that exists keeps its row (and the decisions on it)."""
    found = conn.execute("SELECT id FROM files WHERE path = ?", (derived_path(item.id),)).fetchone()
    if found is not None:
        return int(found[0])
    x0, y0, x1, y1 = item.box
    conn.execute("INSERT OR IGNORE INTO derived (id, source, kind, what, x0, y0, x1, y1, made_by, at)"
                 " VALUES (?,?,?,?,?,?,?,?,?,?)", (item.id, item.source, item.kind, item.what, x0, y0, x1, y1,
                                                   item.made_by, item.at or at))
    conn.execute("INSERT OR REPLACE INTO images (id, width, height, format, mode) VALUES (?, ?, ?, 'PNG', 'RGB')",
                 (item.id, x1 - x0, y1 - y0))
    cur = conn.execute(
        "INSERT INTO files (path, image_id, concept, tier, size, mtime_ns, status, reason, caption_path, first_seen,"
        " last_seen) VALUES (?,?,?,?,?,0,?,?,NULL,?,?)",
        (derived_path(item.id), item.id, concept, tier, size, status, reason, at, at))
    return int(cur.lastrowid)


def derived_rows(conn: sqlite3.Connection, *, source: str | None = None) -> list[Derived]:
    """Every derived image (of one source, when given), oldest first."""
    sql, params = "SELECT * FROM derived", ()
    if source is not None:
        sql, params = sql + " WHERE source = ?", (source,)
    return [_row(r) for r in conn.execute(sql + " ORDER BY at, id", params)]


def derived_by_id(conn: sqlite3.Connection) -> dict[str, Derived]:
    return {r["id"]: _row(r) for r in conn.execute("SELECT * FROM derived")}


def cache_file(store: Store, image_id: str) -> Path:
    return store.root / derived_path(image_id)


def write_pixels(store: Store, image_id: str, png: bytes) -> None:
    """Materialise a derived image's pixels (atomically) into the cache."""
    path = cache_file(store, image_id)
    path.parent.mkdir(parents=True, exist_ok=True)
    write_bytes_atomic(path, png)
