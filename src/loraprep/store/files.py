"""Rows of the files and images tables: what scan records and every stage reads."""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass
from typing import Iterable

from loraprep.model.image import FileRecord, ImageInfo
from loraprep.store.db import Store

FILE_COLUMNS = """
    f.id, f.path, f.image_id, f.concept, f.tier, f.size, f.mtime_ns, f.status, f.reason, f.small, f.caption_path,
    i.width, i.height, i.format, i.mode, i.has_alpha, i.animated, i.frames, i.exif_rotated
"""


def _record(row: sqlite3.Row) -> FileRecord:
    return FileRecord(
        id=row["id"], path=row["path"], image_id=row["image_id"], concept=row["concept"], tier=row["tier"],
        size=row["size"], mtime_ns=row["mtime_ns"], status=row["status"], reason=row["reason"],
        small=bool(row["small"]), caption_path=row["caption_path"],
        width=row["width"], height=row["height"], format=row["format"], mode=row["mode"],
        has_alpha=bool(row["has_alpha"] or 0), animated=bool(row["animated"] or 0), frames=row["frames"] or 1,
        exif_rotated=bool(row["exif_rotated"] or 0),
    )


def list_files(store: Store, *, statuses: Iterable[str] | None = None, concept: str | None = None) -> list[FileRecord]:
    """Files known to the store, optionally filtered, in path order."""
    sql = f"SELECT {FILE_COLUMNS} FROM files f LEFT JOIN images i ON i.id = f.image_id"
    clauses, params = [], []
    if statuses is not None:
        wanted = list(statuses)
        clauses.append(f"f.status IN ({','.join('?' * len(wanted))})")
        params.extend(wanted)
    if concept is not None:
        clauses.append("f.concept = ?")
        params.append(concept)
    if clauses:
        sql += " WHERE " + " AND ".join(clauses)
    sql += " ORDER BY f.path"
    return [_record(row) for row in store.conn.execute(sql, params)]


def get_file(store: Store, file_id: int) -> FileRecord | None:
    row = store.conn.execute(
        f"SELECT {FILE_COLUMNS} FROM files f LEFT JOIN images i ON i.id = f.image_id WHERE f.id = ?", (file_id,)
    ).fetchone()
    return _record(row) if row else None


def find_file(store: Store, ref: str) -> FileRecord | None:
    """A file by numeric id, relative path, or a unique prefix (>= 6 chars) of its content hash."""
    ref = ref.strip().replace("\\", "/")
    if ref.isdigit():
        found = get_file(store, int(ref))
        if found:
            return found
    rows = store.conn.execute(
        f"SELECT {FILE_COLUMNS} FROM files f LEFT JOIN images i ON i.id = f.image_id WHERE f.path = ?", (ref,)
    ).fetchall()
    if not rows and len(ref) >= 6:
        rows = store.conn.execute(
            f"SELECT {FILE_COLUMNS} FROM files f LEFT JOIN images i ON i.id = f.image_id "
            "WHERE f.image_id LIKE ? AND f.status != 'gone'", (ref.lower() + "%",)
        ).fetchall()
    return _record(rows[0]) if len(rows) == 1 else None


def known_image_ids(conn: sqlite3.Connection, ids: Iterable[str]) -> set[str]:
    wanted = list(ids)
    found: set[str] = set()
    for start in range(0, len(wanted), 500):
        chunk = wanted[start:start + 500]
        found.update(r[0] for r in conn.execute(
            f"SELECT id FROM images WHERE id IN ({','.join('?' * len(chunk))})", chunk))
    return found


def upsert_image(conn: sqlite3.Connection, image_id: str, info: ImageInfo | None, error: str | None) -> None:
    """Record what decoding these bytes gave; the same bytes always give the same answer."""
    if info is None:
        conn.execute("INSERT OR REPLACE INTO images (id, error) VALUES (?, ?)", (image_id, error))
        return
    conn.execute(
        "INSERT OR REPLACE INTO images (id, width, height, format, mode, has_alpha, animated, frames, exif_rotated, error)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, NULL)",
        (image_id, info.width, info.height, info.format, info.mode, int(info.has_alpha), int(info.animated),
         info.frames, int(info.exif_rotated)),
    )


def image_error(conn: sqlite3.Connection, image_id: str) -> str | None:
    row = conn.execute("SELECT error FROM images WHERE id = ?", (image_id,)).fetchone()
    return row[0] if row else None


@dataclass(frozen=True)
class FileState:
    """What scan writes for one path."""

    path: str
    image_id: str | None
    concept: str
    tier: str
    size: int
    mtime_ns: int
    status: str
    reason: str
    caption_path: str | None


def write_file(conn: sqlite3.Connection, state: FileState, at: str, *, reuse_id: int | None = None) -> int:
    """Insert or update the row of ``state.path`` (or move row ``reuse_id`` there: a rename)."""
    if reuse_id is not None:
        conn.execute(
            "UPDATE files SET path=?, image_id=?, concept=?, tier=?, size=?, mtime_ns=?, caption_path=?, last_seen=?,"
            " status=CASE WHEN status='gone' OR ?='failed' THEN ? ELSE status END,"
            " reason=CASE WHEN status='gone' OR ?='failed' THEN ? ELSE reason END WHERE id=?",
            (state.path, state.image_id, state.concept, state.tier, state.size, state.mtime_ns, state.caption_path,
             at, state.status, state.status, state.status, state.reason, reuse_id),
        )
        return reuse_id
    row = conn.execute("SELECT id, image_id, status FROM files WHERE path = ?", (state.path,)).fetchone()
    if row is None:
        cur = conn.execute(
            "INSERT INTO files (path, image_id, concept, tier, size, mtime_ns, status, reason, caption_path,"
            " first_seen, last_seen) VALUES (?,?,?,?,?,?,?,?,?,?,?)",
            (state.path, state.image_id, state.concept, state.tier, state.size, state.mtime_ns, state.status,
             state.reason, state.caption_path, at, at),
        )
        return int(cur.lastrowid)
    same_content = row["image_id"] == state.image_id and row["status"] != "gone"
    # Same bytes keep their decisions (user or dedup exclusion); new bytes start over.
    status, reason = (state.status, state.reason)
    if same_content and state.status != "failed" and row["status"] == "excluded":
        status, reason = None, None
    conn.execute(
        "UPDATE files SET image_id=?, concept=?, tier=?, size=?, mtime_ns=?, caption_path=?, last_seen=?,"
        " status=COALESCE(?, status), reason=COALESCE(?, reason) WHERE id=?",
        (state.image_id, state.concept, state.tier, state.size, state.mtime_ns, state.caption_path, at,
         status, reason, row["id"]),
    )
    return int(row["id"])


def mark_gone(conn: sqlite3.Connection, paths: Iterable[str], at: str) -> int:
    """Mark rows whose file vanished; returns how many rows that touched."""
    # The cursor's count, not the connection's total_changes: that one counts the schema's triggers' rows too.
    return conn.executemany("UPDATE files SET status='gone', reason='file no longer on disk', last_seen=?"
                            " WHERE path=?", [(at, p) for p in paths]).rowcount


def update_small_flags(conn: sqlite3.Connection, min_size: int) -> None:
    conn.execute(
        "UPDATE files SET small = COALESCE((SELECT MIN(i.width, i.height) < ? FROM images i"
        " WHERE i.id = files.image_id AND i.width IS NOT NULL), 0)", (min_size,))


def caption_row(conn: sqlite3.Connection, path: str) -> sqlite3.Row | None:
    return conn.execute("SELECT * FROM captions WHERE path = ?", (path,)).fetchone()


def write_caption_row(conn: sqlite3.Connection, path: str, image_id: str, size: int, mtime_ns: int,
                      encoding: str, tags: list[str]) -> None:
    conn.execute(
        "INSERT OR REPLACE INTO captions (path, image_id, size, mtime_ns, encoding, tags) VALUES (?,?,?,?,?,?)",
        (path, image_id, size, mtime_ns, encoding, json.dumps(tags, ensure_ascii=False)),
    )


CAPTION_REASON = "caption "  # a reason that starts so failed the image for its caption, not for its own bytes


def fail_for_caption(conn: sqlite3.Connection, path: str, reason: str) -> bool:
    """Fail an active image because its caption cannot be read; False when the row keeps a reason of its own."""
    cur = conn.execute(
        "UPDATE files SET status='failed', reason=? WHERE path=? AND (status='active' OR (status='failed'"
        " AND substr(reason, 1, ?) = ?))", (reason, path, len(CAPTION_REASON), CAPTION_REASON))
    return cur.rowcount > 0


def clear_caption_failures(conn: sqlite3.Connection, still_failing: set[str]) -> int:
    """Make images failed for their caption active again unless listed (the caption now reads, or is gone)."""
    rows = conn.execute("SELECT id, path FROM files WHERE status='failed' AND substr(reason, 1, ?) = ?",
                        (len(CAPTION_REASON), CAPTION_REASON)).fetchall()
    ids = [(r["id"],) for r in rows if r["path"] not in still_failing]
    conn.executemany("UPDATE files SET status='active', reason='' WHERE id=?", ids)
    return len(ids)


def scan_rows(store: Store) -> dict[str, sqlite3.Row]:
    """path -> (id, path, image_id, size, mtime_ns, status) of every file row: what a scan compares with disk."""
    # Derived images (crops) live under .loraprep/, which scan never walks: they are no file on the user's disk.
    return {r["path"]: r for r in store.query("SELECT id, path, image_id, size, mtime_ns, status FROM files"
                                              " WHERE path NOT LIKE '.loraprep/%'")}


def known_images(store: Store) -> set[str]:
    """Content ids already decoded (a file with known bytes is not decoded again)."""
    return {r[0] for r in store.query("SELECT id FROM images")}


def caption_rows(store: Store) -> dict[str, sqlite3.Row]:
    """caption path -> (path, image_id, size, mtime_ns) as last recorded."""
    return {r["path"]: r for r in store.query("SELECT path, image_id, size, mtime_ns FROM captions")}


def caption_rows_of(conn: sqlite3.Connection, paths: list[str]) -> dict[str, sqlite3.Row]:
    """caption_rows for some paths, inside the caller's transaction."""
    rows = {}
    for start in range(0, len(paths), 500):
        chunk = paths[start:start + 500]
        rows.update((r["path"], r) for r in conn.execute(
            f"SELECT path, image_id, size, mtime_ns FROM captions WHERE path IN ({','.join('?' * len(chunk))})",
            chunk))
    return rows


def live_image_ids(store: Store, paths: list[str] | None = None) -> dict[str, str]:
    """path -> content id of every file that is not gone (of ``paths`` only, when given: read by path)."""
    sql = "SELECT path, image_id FROM files WHERE status != 'gone'"
    if paths is None:
        return {r["path"]: r["image_id"] for r in store.query(sql)}
    found = {}
    for start in range(0, len(paths), 500):
        chunk = paths[start:start + 500]
        found.update((r["path"], r["image_id"]) for r in store.query(
            f"{sql} AND path IN ({','.join('?' * len(chunk))})", tuple(chunk)))
    return found


HEALTH_COUNTS = ("images", "active", "failed", "excluded", "small", "alpha", "animated", "captioned")


def health_counts(store: Store) -> list[tuple]:
    """Per concept and image format (None when unknown), over the files that are not gone: (concept, format,
    *HEALTH_COUNTS), counted again from every file by SQLite (``health_tally.health_counts`` reads the same from
    the counts the schema's triggers keep)."""
    return [tuple(r) for r in store.conn.execute(
        "SELECT f.concept, NULLIF(i.format, ''), COUNT(*), SUM(f.status = 'active'), SUM(f.status = 'failed'),"
        " SUM(f.status = 'excluded'), SUM(f.small != 0), SUM(COALESCE(i.has_alpha, 0) != 0),"
        " SUM(COALESCE(i.animated, 0) != 0), SUM(f.caption_path IS NOT NULL AND f.caption_path != '')"
        # NOT INDEXED: one pass over the table in storage order beats walking the (concept, status) index
        # and fetching each row from it (0.23 s vs 0.33 s of CPU per 100,000 files).
        " FROM files f NOT INDEXED LEFT JOIN images i ON i.id = f.image_id WHERE f.status != 'gone'"
        " GROUP BY f.concept, NULLIF(i.format, '') ORDER BY 1, 2")]


def health_problems(store: Store) -> tuple[list[sqlite3.Row], list[sqlite3.Row]]:
    """(failed files, small files), each in path order, with what the report says of them."""
    # The WHERE terms are those of the partial indexes files_failed and files_small (schema v7).
    failed = store.query("SELECT path, reason FROM files WHERE status = 'failed' ORDER BY path")
    small = store.query("SELECT f.path, i.width, i.height FROM files f LEFT JOIN images i ON i.id = f.image_id"
                        " WHERE f.small != 0 AND f.status != 'gone' ORDER BY f.path")
    return failed, small
