"""Derived images (crops): a box on a source image with its own id, a files row and a regenerable PNG cache.

A derived image is listed, tagged, deduplicated, curated and exported like any file: it has a ``files`` row whose
path is its cached pixels, ``.loraprep/derived/<id>.png``, and an ``images`` row keyed by its id (sha256 of
source id + kind + box). The ``derived`` table keeps its provenance. Scan never walks ``.loraprep/``, so it
neither imports the cache as new files nor marks derived rows gone (files.scan_rows leaves them out).
"""

from __future__ import annotations

import hashlib
import re
import sqlite3
from dataclasses import dataclass
from pathlib import PurePosixPath

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


def derived_path(item: Derived, source_path: str) -> str:
    """The files-row path of a derived image (its cached pixels), relative to the dataset root: named after its
    source and what it holds (`p1_person_3fa2c1d0e9.png`), as exports name it."""
    stem = re.sub(r"[^\w.-]+", "_", PurePosixPath(source_path).stem).strip("._")[:60] or "image"
    return f"{DERIVED_FOLDER}/{stem}_{item.what}_{item.id[:10]}.png"


def is_derived_path(path: str) -> bool:
    return path.startswith(DERIVED_FOLDER + "/")


def _row(row: sqlite3.Row) -> Derived:
    return Derived(row["id"], row["source"], row["kind"], row["what"], (row["x0"], row["y0"], row["x1"], row["y1"]),
                   row["made_by"], row["at"])


def add_derived(conn: sqlite3.Connection, item: Derived, path: str, *, concept: str, tier: str, size: int,
                status: str, reason: str, at: str) -> int:
    """Record a derived image with its images and files rows (``path``: derived_path) inside the caller's
    transaction; returns the file id. Recording one that exists keeps its row (and the decisions on it)."""
    found = conn.execute("SELECT id FROM files WHERE image_id = ? AND path LIKE ?",
                         (item.id, DERIVED_FOLDER + "/%")).fetchone()
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
        (path, item.id, concept, tier, size, status, reason, at, at))
    return int(cur.lastrowid)


def derived_rows(conn: sqlite3.Connection, *, source: str | None = None) -> list[Derived]:
    """Every derived image (of one source, when given), oldest first."""
    sql, params = "SELECT * FROM derived", ()
    if source is not None:
        sql, params = sql + " WHERE source = ?", (source,)
    return [_row(r) for r in conn.execute(sql + " ORDER BY at, id", params)]


def derived_by_id(conn: sqlite3.Connection) -> dict[str, Derived]:
    return {r["id"]: _row(r) for r in conn.execute("SELECT * FROM derived")}


def derived_files(conn: sqlite3.Connection) -> dict[str, tuple[int, str]]:
    """derived image id -> (file id, path) of its files row."""
    return {r["image_id"]: (r["id"], r["path"]) for r in conn.execute(
        "SELECT id, image_id, path FROM files WHERE path LIKE ?", (DERIVED_FOLDER + "/%",))}


def write_pixels(store: Store, path: str, png: bytes) -> None:
    """Materialise a derived image's pixels (atomically) at its files-row path, in the cache."""
    if not is_derived_path(path):
        raise ValueError(f"{path} is not in {DERIVED_FOLDER}")
    target = store.root / path
    target.parent.mkdir(parents=True, exist_ok=True)
    write_bytes_atomic(target, png)


CROP_INFO = {"person": "full", "halfbody": "upper body", "head": "head", "face": "head"}


@dataclass(frozen=True)
class PeopleFields:
    """What captions and --where can say of one image: how many people, and what part of them it shows."""

    npeople: int | None   # None: no person detector has looked at it (or its source)
    crop_info: str        # full | upper body | head


def people_fields(conn: sqlite3.Connection, min_score: float | None = None, *,
                  model: str | None = None) -> dict[str, PeopleFields]:
    """image id -> PeopleFields for every image a person detector saw and every derived image.

    A source's npeople counts its person boxes scoring >= min_score (default: the detector's card threshold); a crop's counts those of its source whose
    centre lies inside the crop (a person crop holds at least its own person). A whole picture is "full".
    """
    from loraprep.model.detection import centre_inside
    from loraprep.store.detections import person_boxes

    people = person_boxes(conn, min_score, model=model)
    fields = {image_id: PeopleFields(len(found), "full") for image_id, found in people.items()}
    for item in derived_rows(conn):
        inside = people.get(item.source)
        count = None if inside is None else sum(centre_inside(b.box, item.box) for b in inside)
        if item.what == "person":
            count = max(count or 0, 1)
        fields[item.id] = PeopleFields(count, CROP_INFO.get(item.what, "full"))
    return fields
