"""Whole-dataset reads as columns: active files in path order, score sets in chunks as the stored rows."""

from __future__ import annotations

import random

from loraprep.store.bulk_rows import active_files, score_chunks
from loraprep.store.db import now, open_store
from loraprep.store.tags import load_scores, write_scores


def test_active_files_in_path_order_and_score_chunks_hold_every_stored_row(tmp_path):
    rng = random.Random(4)
    at = now()
    with open_store(tmp_path, create=True) as store, store.write() as conn:
        for i in range(57):
            image_id = f"{i:064x}"
            conn.execute("INSERT INTO images (id, width, height, format, mode) VALUES (?,?,?,?,?)",
                         (image_id, 8, 8, "PNG", "RGB"))
            tags = rng.sample([f"t{j}" for j in range(40)], rng.randint(0, 12))
            write_scores(conn, image_id, "m", [(t, "general", rng.random()) for t in tags])
            status = "excluded" if i % 5 == 0 else "active"
            conn.execute("INSERT INTO files (path, image_id, concept, size, mtime_ns, status, first_seen, last_seen)"
                         " VALUES (?,?,?,?,?,?,?,?)", (f"c{i % 3}/{rng.random():.9f}.png", image_id, f"c{i % 3}",
                                                       1, 1, status, at, at))
    with open_store(tmp_path) as store:
        files = active_files(store.conn)
        assert files.paths == sorted(files.paths) and len(files.paths) == 57 - 12
        assert active_files(store.conn, "c1").concepts == ["c1"] * len(active_files(store.conn, "c1").ids)
        stored = load_scores(store.conn, "m")
        seen = {}
        for chunk in score_chunks(store.conn, "m", size=10):
            assert len(chunk.image_ids) <= 10 and chunk.lengths.sum() == len(chunk.tag_ids) == len(chunk.scores)
            start = 0
            for image_id, n in zip(chunk.image_ids, chunk.lengths.tolist()):
                seen[image_id] = (chunk.tag_ids[start:start + n].tolist(), chunk.scores[start:start + n].tolist())
                start += n
        assert seen == {i: (list(s.ids), list(s.values)) for i, s in stored.items()}
