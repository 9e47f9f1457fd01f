"""The journal of caption fields (character, copyright, ...): rows per batch, replayed on read; the user wins."""

from __future__ import annotations

import sqlite3
from collections import defaultdict
from dataclasses import dataclass
from typing import Iterable


@dataclass(frozen=True)
class FieldOp:
    """Set one caption field of one image ('' clears it); ``origin`` says who: 'user', 'classify:<model>'."""

    image_id: str
    field: str
    value: str
    origin: str = "user"


@dataclass(frozen=True)
class FieldValue:
    """A field's value in force and where it came from; ``by_user`` when a person set it (it then wins)."""

    value: str
    origin: str
    by_user: bool


def insert_field_ops(conn: sqlite3.Connection, batch_id: int, ops: list[FieldOp], at: str) -> None:
    conn.executemany("INSERT INTO field_ops (batch_id, image_id, field, value, origin, at) VALUES (?,?,?,?,?,?)",
                     [(batch_id, o.image_id, o.field, o.value, o.origin, at) for o in ops])


def field_values(conn: sqlite3.Connection, image_ids: Iterable[str] | None = None,
                 field: str | None = None) -> dict[str, dict[str, FieldValue]]:
    """Per image, per field, the value in force after replaying the done batches in order.

    A user batch's value wins over any later classifier (rule) batch; an empty value means the field is unset
    (a user's empty value still wins: the person cleared it on purpose).
    """
    sql = ("SELECT f.image_id, f.field, f.value, f.origin, b.source FROM field_ops f JOIN batches b"
           " ON b.id = f.batch_id WHERE b.state = 'done'")
    params: list = []
    if field is not None:
        sql += " AND f.field = ?"
        params.append(field)
    wanted = None if image_ids is None else set(image_ids)
    if wanted is not None and len(wanted) <= 900:  # one image's panel reads through the index
        sql += f" AND f.image_id IN ({','.join('?' * len(wanted))})"
        params += sorted(wanted)
    user: dict[str, dict[str, FieldValue]] = defaultdict(dict)
    auto: dict[str, dict[str, FieldValue]] = defaultdict(dict)
    for image_id, name, value, origin, source in conn.execute(sql + " ORDER BY f.seq", params):
        if wanted is not None and image_id not in wanted:
            continue
        if source == "user":
            user[image_id][name] = FieldValue(value, origin, True)
        else:
            auto[image_id][name] = FieldValue(value, origin, False)
    result: dict[str, dict[str, FieldValue]] = {}
    for image_id in set(user) | set(auto):
        merged = {**auto.get(image_id, {}), **user.get(image_id, {})}
        kept = {k: v for k, v in merged.items() if v.value or v.by_user}
        if kept:
            result[image_id] = kept
    return result


def classifier_values(conn: sqlite3.Connection, field: str = "character") -> dict[str, str]:
    """What the classifier (rule batches) last said of one field per image, ignoring the user's word."""
    rows = conn.execute("SELECT f.image_id, f.value FROM field_ops f JOIN batches b ON b.id = f.batch_id"
                        " WHERE b.state = 'done' AND b.source = 'rule' AND f.field = ? ORDER BY f.seq", (field,))
    return {image_id: value for image_id, value in rows}


def field_op_counts(conn: sqlite3.Connection) -> dict[int, int]:
    """Field operations per batch id."""
    return dict(conn.execute("SELECT batch_id, COUNT(*) FROM field_ops GROUP BY batch_id").fetchall())


def user_concept_files(conn: sqlite3.Connection) -> set[int]:
    """Files a person moved to another concept (a done user batch): assigning concepts by character leaves them."""
    return {row[0] for row in conn.execute(
        "SELECT DISTINCT o.file_id FROM file_ops o JOIN batches b ON b.id = o.batch_id"
        " WHERE b.state = 'done' AND b.source = 'user' AND o.field = 'concept'")}
