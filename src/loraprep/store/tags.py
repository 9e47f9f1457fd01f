"""Tagger scores in the store: every score >= 0.05 per (image, model@revision), so thresholds are a query."""

from __future__ import annotations

import sqlite3
from collections import defaultdict
from typing import Iterable

from loraprep.store.db import now

Score = tuple[str, str, float]  # (tag, category, score)


def write_scores(conn: sqlite3.Connection, image_id: str, model: str, scores: Iterable[Score]) -> None:
    """Replace the scores of one image under one model and mark it tagged."""
    conn.execute("DELETE FROM tag_scores WHERE image_id=? AND model=?", (image_id, model))
    conn.executemany("INSERT OR REPLACE INTO tag_scores (image_id, model, tag, category, score) VALUES (?,?,?,?,?)",
                     [(image_id, model, t, c, float(s)) for t, c, s in scores])
    conn.execute("INSERT OR REPLACE INTO tagged (image_id, model, at) VALUES (?,?,?)", (image_id, model, now()))


def tagged_ids(conn: sqlite3.Connection, model: str) -> set[str]:
    return {r[0] for r in conn.execute("SELECT image_id FROM tagged WHERE model=?", (model,))}


def models_used(conn: sqlite3.Connection) -> list[str]:
    """Models that tagged this dataset, most recent first."""
    return [r[0] for r in conn.execute("SELECT model, MAX(at) AS last FROM tagged GROUP BY model ORDER BY last DESC")]


def load_scores(conn: sqlite3.Connection, model: str, image_ids: Iterable[str] | None = None) -> dict[str, list[Score]]:
    """Scores per image under one model, highest first."""
    result: dict[str, list[Score]] = defaultdict(list)
    select = "SELECT image_id, tag, category, score FROM tag_scores WHERE model=?"
    if image_ids is None:
        batches = [conn.execute(select, (model,))]
    else:
        ids = list(image_ids)
        batches = (conn.execute(f"{select} AND image_id IN ({','.join('?' * len(chunk))})", (model, *chunk))
                   for chunk in (ids[i:i + 900] for i in range(0, len(ids), 900)))
    for rows in batches:
        for image_id, tag, category, score in rows:
            result[image_id].append((tag, category, score))
    # Sorting each image's few dozen scores here is cheaper than an ORDER BY over the whole table.
    for scores in result.values():
        scores.sort(key=_by_score)
    return result


def _by_score(row: Score) -> float:
    return -row[2]


def vocabulary(conn: sqlite3.Connection) -> dict[str, str]:
    """Every tag the store has seen with a category: tagger scores first, then journal tags as 'general'."""
    vocab = {t: c for t, c in conn.execute("SELECT DISTINCT tag, category FROM tag_scores")}
    for (t,) in conn.execute("SELECT DISTINCT tag FROM tag_ops"):
        vocab.setdefault(t, "general")
    return vocab
