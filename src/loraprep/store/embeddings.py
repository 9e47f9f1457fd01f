"""Identity embeddings in the store, per (image, model@revision): re-classifying reads them, never the model."""

from __future__ import annotations

import sqlite3
from typing import TYPE_CHECKING, Iterable

if TYPE_CHECKING:  # numpy is imported where it is used: every CLI command imports the store
    import numpy as np


def write_embeddings(conn: sqlite3.Connection, model: str, rows: Iterable[tuple[str, np.ndarray]]) -> int:
    """Store (image id, vector) pairs for one model inside the caller's transaction; returns how many."""
    import numpy as np

    packed = [(image_id, model, int(vec.size), np.ascontiguousarray(vec, dtype="<f4").tobytes())
              for image_id, vec in rows]
    conn.executemany("INSERT OR REPLACE INTO embeddings (image_id, model, dim, data) VALUES (?,?,?,?)", packed)
    return len(packed)


def embedded_ids(conn: sqlite3.Connection, model: str) -> set[str]:
    """Images that already have an embedding from this model@revision."""
    return {row[0] for row in conn.execute("SELECT image_id FROM embeddings WHERE model = ?", (model,))}


def load_embeddings(conn: sqlite3.Connection, model: str,
                    image_ids: Iterable[str] | None = None) -> tuple[list[str], np.ndarray]:
    """(ids, matrix N x dim float32) of this model's embeddings, in ``image_ids`` order when given (ids without
    an embedding left out)."""
    import numpy as np

    rows = conn.execute("SELECT image_id, data FROM embeddings WHERE model = ?", (model,)).fetchall()
    found = {image_id: data for image_id, data in rows}
    order = list(found) if image_ids is None else [i for i in dict.fromkeys(image_ids) if i in found]
    if not order:
        return [], np.zeros((0, 0), np.float32)
    blob = b"".join(found[i] for i in order)
    return order, np.frombuffer(blob, dtype="<f4").reshape(len(order), -1).astype(np.float32, copy=False)
