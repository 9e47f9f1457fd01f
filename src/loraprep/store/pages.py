"""Active files a page at a time (keyset pagination on an index): passes over a million files whose memory does
not grow with the dataset (the parquet export, a concept's tag counts)."""

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
