"""Active files a page at a time (keyset pagination on an index), or counted in groups: passes over a million
files whose memory does not grow with the dataset (the parquet export, a concept's tag counts, its plan)."""

from __future__ import annotations

from typing import Iterator

from loraprep.store.db import Store

# The journal's replay reads one page's images through an IN list of at most 900 ids (journal._done_ops); a
# bigger page reads every operation of the store for each page.
PAGE = 900


def active_ids_by_path(store: Store, page: int = PAGE) -> Iterator[list[int]]:
    """The active files' ids in path order, ``page`` at a time (the walk follows the unique index on path)."""
    after = ""
    while True:
        rows = store.conn.execute("SELECT id, path FROM files WHERE path > ? AND status = 'active'"
                                  " ORDER BY path LIMIT ?", (after, page)).fetchall()
        if not rows:
            return
        yield [row[0] for row in rows]
        after = rows[-1][1]


def active_ids_of_concept(store: Store, concept: str, page: int = PAGE) -> Iterator[list[int]]:
    """One concept's active files' ids in id order, ``page`` at a time (index files_concept)."""
    after = -1
    while True:
        ids = [row[0] for row in store.conn.execute(
            "SELECT id FROM files WHERE concept = ? AND status = 'active' AND id > ? ORDER BY id LIMIT ?",
            (concept, after, page))]
        if not ids:
            return
        yield ids
        after = ids[-1]


def active_concepts(store: Store) -> list[str]:
    return [row[0] for row in store.conn.execute("SELECT DISTINCT concept FROM files WHERE status = 'active'"
                                                 " ORDER BY concept")]


def active_size_groups(store: Store) -> list[tuple]:
    """The active files counted per (concept, tier, width, height, top folder): (concept, tier, width, height,
    top, count), sizes 0 when unknown, ``top`` the path's first folder with its '/' (the path itself at the
    root). A balance plan of a million images from a few hundred rows."""
    return [tuple(row) for row in store.conn.execute(
        "SELECT f.concept, f.tier, COALESCE(i.width, 0), COALESCE(i.height, 0),"
        " CASE WHEN instr(f.path, '/') THEN substr(f.path, 1, instr(f.path, '/')) ELSE f.path END, COUNT(*)"
        " FROM files f LEFT JOIN images i ON i.id = f.image_id WHERE f.status = 'active'"
        " GROUP BY 1, 2, 3, 4, 5 ORDER BY 1, 2, 5, 3, 4")]
