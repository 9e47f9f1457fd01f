"""Tagger scores in the store: every score >= 0.05 per (image, model@revision), so thresholds are a query.

Scores are stored packed, one row per image and model: tag ids (into ``tag_names``) and scores as two little-
endian arrays, highest score first. Reading 10,000 images is then 10,000 rows, not 400,000.
"""

from __future__ import annotations

import sqlite3
from array import array
from collections.abc import Sequence
from typing import Iterable

from loraprep.model.thresholds import category_cuts, passing_head
from loraprep.store.db import now

Score = tuple[str, str, float]  # (tag, category, score)


class TagNames:
    """The store's tag vocabulary: id -> (name, category), and back. Names are shared string objects."""

    def __init__(self, conn: sqlite3.Connection):
        self.names: list[str] = []
        self.categories: list[str] = []
        self.ids: dict[tuple[str, str], int] = {}
        self._cuts: tuple | None = None
        self._by_name: tuple | None = None
        self._load(conn.execute("SELECT id, tag, category FROM tag_names ORDER BY id").fetchall())

    def _load(self, rows) -> None:
        for tag_id, tag, category in rows:
            while len(self.names) <= tag_id:
                self.names.append("")
                self.categories.append("general")
            self.names[tag_id] = tag
            self.categories[tag_id] = category
            self.ids[(tag, category)] = tag_id

    def ids_of(self, name: str) -> list[int]:
        """Every id a tag name has (one per category it was seen in)."""
        if self._by_name is None or self._by_name[0] != len(self.names):
            by_name: dict[str, list[int]] = {}
            for (tag, _category), tag_id in self.ids.items():
                by_name.setdefault(tag, []).append(tag_id)
            self._by_name = (len(self.names), by_name)
        return self._by_name[1].get(name, [])

    def cuts(self, general: float, character: float) -> list[float]:
        """Per tag id, the threshold its category uses (model/thresholds.py decides); remembered per setting."""
        key = (general, character, len(self.names))
        if self._cuts is None or self._cuts[0] != key:
            self._cuts = (key, category_cuts(self.categories, general, character))
        return self._cuts[1]

    def ids_for(self, conn: sqlite3.Connection, pairs: Iterable[tuple[str, str]]) -> list[int]:
        """Ids of (name, category) pairs, adding the new ones to the store."""
        pairs = list(pairs)
        new = [p for p in dict.fromkeys(pairs) if p not in self.ids]
        if new:
            conn.executemany("INSERT OR IGNORE INTO tag_names (tag, category) VALUES (?, ?)", new)
            self._load(conn.execute("SELECT id, tag, category FROM tag_names WHERE id > ?",
                                    (max(self.ids.values(), default=0),)).fetchall())
        return [self.ids[p] for p in pairs]


class ScoreSet(Sequence):
    """One image's stored scores: a sequence of (tag, category, score), highest first, read lazily."""

    __slots__ = ("ids", "values", "vocab")

    def __init__(self, ids: array, values: array, vocab: TagNames):
        self.ids, self.values, self.vocab = ids, values, vocab

    def __len__(self) -> int:
        return len(self.ids)

    def __getitem__(self, i):
        if isinstance(i, slice):
            return [self[j] for j in range(*i.indices(len(self)))]
        tag_id = self.ids[i]
        return self.vocab.names[tag_id], self.vocab.categories[tag_id], self.values[i]

    def __iter__(self):
        names, categories = self.vocab.names, self.vocab.categories
        for tag_id, value in zip(self.ids, self.values):
            yield names[tag_id], categories[tag_id], value

    def score_of(self, name: str) -> float | None:
        """The stored score of one tag name (any category), or None."""
        for tag_id in self.vocab.ids_of(name):
            try:
                return self.values[self.ids.index(tag_id)]
            except ValueError:
                continue
        return None

    def passing(self, general: float, character: float) -> tuple[list[str], list[float]]:
        """Names and scores at or above the category's threshold (ratings never), highest first."""
        ids, values = passing_head(self.ids, self.values, self.vocab.cuts(general, character), min(general, character))
        names = self.vocab.names
        return [names[i] for i in ids], values

    def __eq__(self, other) -> bool:
        return isinstance(other, Sequence) and list(self) == list(other)

    def __repr__(self) -> str:
        return f"ScoreSet({list(self)!r})"


def write_scores(conn: sqlite3.Connection, image_id: str, model: str, scores: Iterable[Score],
                 vocab: TagNames | None = None) -> None:
    """Replace the scores of one image under one model and mark it tagged.

    Pass the same ``vocab`` when writing many images in one transaction to skip re-reading the names.
    """
    _write_packed(conn, (image_id, model), [(t, c, float(s)) for t, c, s in scores], vocab or TagNames(conn))
    conn.execute("INSERT OR REPLACE INTO tagged (image_id, model, at) VALUES (?,?,?)", (image_id, model, now()))


def _pack(code: str, values) -> bytes:
    packed = array(code, values)
    if _BIG_ENDIAN:
        packed.byteswap()
    return packed.tobytes()


def _unpack(code: str, blob: bytes) -> array:
    values = array(code)
    values.frombytes(blob)
    if _BIG_ENDIAN:
        values.byteswap()
    return values


_BIG_ENDIAN = array("I", [1]).tobytes()[0] == 0


def tagged_ids(conn: sqlite3.Connection, model: str) -> set[str]:
    return {r[0] for r in conn.execute("SELECT image_id FROM tagged WHERE model=?", (model,))}


def models_used(conn: sqlite3.Connection) -> list[str]:
    """Models that tagged this dataset, most recent first."""
    # Walks the index tagged_model_at one model at a time (a few probes), not a million rows.
    return [r[0] for r in conn.execute(
        "WITH RECURSIVE m(model) AS (SELECT MIN(model) FROM tagged UNION ALL"
        " SELECT (SELECT MIN(model) FROM tagged WHERE model > m.model) FROM m WHERE m.model IS NOT NULL)"
        " SELECT model, (SELECT MAX(at) FROM tagged WHERE tagged.model = m.model) AS last FROM m"
        " WHERE model IS NOT NULL ORDER BY last DESC, model")]


def load_scores(conn: sqlite3.Connection, model: str, image_ids: Iterable[str] | None = None) -> dict[str, ScoreSet]:
    """Scores per image under one model, highest first."""
    vocab = TagNames(conn)
    select = "SELECT image_id, tag_ids, scores FROM score_sets WHERE model=?"
    if image_ids is None:
        batches = [conn.execute(select, (model,)).fetchall()]
    else:
        ids = list(image_ids)
        batches = (conn.execute(f"{select} AND image_id IN ({','.join('?' * len(chunk))})", (model, *chunk)).fetchall()
                   for chunk in (ids[i:i + 900] for i in range(0, len(ids), 900)))
    return {image_id: ScoreSet(_unpack("I", tag_ids), _unpack("d", values), vocab)
            for rows in batches for image_id, tag_ids, values in rows}


def vocabulary(conn: sqlite3.Connection, journal_tags: Iterable[str] | None = None) -> dict[str, str]:
    """Every tag the store has seen with a category: tagger scores first, then journal tags as 'general'
    (``journal_tags``: those the caller read already, e.g. of the few images it holds, instead of every one)."""
    vocab = {t: c for t, c in conn.execute("SELECT tag, category FROM tag_names ORDER BY id DESC")}
    if journal_tags is None:
        journal_tags = (t for (t,) in conn.execute("SELECT tag FROM tag_ops UNION SELECT tag FROM tag_op_sets"))
    for t in journal_tags:
        vocab.setdefault(t, "general")
    return vocab


def migrate_v2(conn: sqlite3.Connection) -> None:
    """Schema v2: per-row scores (tag_scores) packed into score_sets; run once inside the migration."""
    vocab = TagNames(conn)
    current: tuple[str, str] | None = None
    rows: list[Score] = []
    for image_id, model, tag, category, score in conn.execute(
            "SELECT image_id, model, tag, category, score FROM tag_scores ORDER BY image_id, model"):
        if (image_id, model) != current:
            if current is not None:
                _write_packed(conn, current, rows, vocab)
            current, rows = (image_id, model), []
        rows.append((tag, category, score))
    if current is not None:
        _write_packed(conn, current, rows, vocab)
    conn.execute("DROP TABLE tag_scores")


def _write_packed(conn, key: tuple[str, str], rows: list[Score], vocab: TagNames) -> None:
    """One (image, model) row: ids and scores, highest score first (ties by name, as select_tags orders)."""
    rows.sort(key=lambda r: (-r[2], r[0]))
    ids = vocab.ids_for(conn, ((t, c) for t, c, _s in rows))
    conn.execute("INSERT OR REPLACE INTO score_sets (image_id, model, tag_ids, scores) VALUES (?,?,?,?)",
                 (*key, _pack("I", ids), _pack("d", [s for _t, _c, s in rows])))
