"""Whole-dataset reads as columns and flat arrays (``tags`` and ``curate --diff`` over a million images):
active files without a record object each, and the score sets of one model in chunks of packed ids and scores."""

from __future__ import annotations

import sqlite3
from operator import itemgetter
from typing import Iterator, NamedTuple


class ActiveFiles(NamedTuple):
    """The active files in path order, as parallel lists."""
    ids: list[int]
    paths: list[str]
    image_ids: list[str | None]
    concepts: list[str]


def active_files(conn: sqlite3.Connection, concept: str | None = None) -> ActiveFiles:
    sql = "SELECT id, path, image_id, concept FROM files WHERE status = 'active'"
    params: tuple = ()
    if concept is not None:
        sql += " AND concept = ?"
        params = (concept,)
    rows = conn.execute(sql, params).fetchall()
    if not rows:
        return ActiveFiles([], [], [], [])
    rows.sort(key=itemgetter(1))   # by path: here, a third of SQLite's ORDER BY on a million rows
    return ActiveFiles(*map(list, zip(*rows)))


class ScoreChunk(NamedTuple):
    """Score sets of some images: their ids, each one's row count, and all rows' tag ids and scores (each image's
    rows highest score first, as stored)."""
    image_ids: list[str]
    lengths: object   # numpy int64
    tag_ids: object   # numpy uint32 (read-only), ids of the tag_names table
    scores: object    # numpy float64 (read-only)


def score_chunks(conn: sqlite3.Connection, model: str, size: int = 50_000) -> Iterator[ScoreChunk]:
    """Every score set of ``model``, ``size`` images at a time (memory bounded by the chunk)."""
    import numpy as np

    cursor = conn.execute("SELECT image_id, tag_ids, scores FROM score_sets WHERE model = ?", (model,))
    while True:
        rows = cursor.fetchmany(size)
        if not rows:
            return
        image_ids, id_blobs, score_blobs = zip(*rows)
        # Stored little-endian (store/tags.py swaps on a big-endian machine), 4-byte ids and 8-byte scores.
        tag_ids = np.frombuffer(b"".join(id_blobs), dtype="<u4")
        scores = np.frombuffer(b"".join(score_blobs), dtype="<f8")
        lengths = np.fromiter(map(len, id_blobs), dtype=np.int64, count=len(id_blobs)) // 4
        yield ScoreChunk(list(image_ids), lengths, tag_ids, scores)
