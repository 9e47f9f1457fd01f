"""A concept's cache fingerprint moves with every write that can change its tag counts, and only with those."""

from __future__ import annotations

import pytest

from loraprep.store import concept_cache
from loraprep.store.db import open_store

FILE = ("INSERT INTO files (path, image_id, concept, size, mtime_ns, status, first_seen, last_seen)"
        " VALUES (?, ?, ?, 1, 1, ?, 'x', 'x')")


@pytest.fixture
def store(tmp_path):
    with open_store(tmp_path, create=True) as store:
        with store.write() as conn:
            conn.executemany("INSERT INTO images (id, format) VALUES (?, 'PNG')", [(f"i{n}",) for n in range(6)])
            conn.executemany(FILE, [(f"cats/{n}.png", f"i{n}", "cats", "active") for n in range(3)]
                             + [(f"dogs/{n}.png", f"i{n + 3}", "dogs", "active") for n in range(3)])
        yield store


@pytest.mark.parametrize("write, moves", [
    ("UPDATE files SET image_id = 'i5' WHERE path = 'cats/0.png'", True),   # new content, same count
    ("UPDATE files SET status = 'excluded' WHERE path = 'cats/1.png'", True),
    ("UPDATE files SET concept = 'dogs' WHERE path = 'cats/2.png'", True),
    ("UPDATE files SET concept = 'cats' WHERE path = 'dogs/0.png'", True),
    ("DELETE FROM files WHERE path = 'cats/0.png'", True),
    ("INSERT INTO files (path, image_id, concept, size, mtime_ns, status, first_seen, last_seen)"
     " VALUES ('cats/new.png', 'i4', 'cats', 1, 1, 'active', 'x', 'x')", True),
    ("INSERT INTO tagged (image_id, model, at) VALUES ('i0', 'm', '2030-01-01')", True),
    ("UPDATE files SET last_seen = 'y', mtime_ns = 7", False),  # a rescan that found the files unchanged
    ("UPDATE files SET status = 'excluded' WHERE path = 'dogs/1.png'", False),  # another concept's file
])
def test_the_fingerprint_follows_the_writes_that_count(store, write, moves):
    before = concept_cache.fingerprint(store, "cats", "m")
    with store.write() as conn:
        conn.execute(write)
    assert (concept_cache.fingerprint(store, "cats", "m") != before) is moves
