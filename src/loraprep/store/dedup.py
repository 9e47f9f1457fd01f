"""Dedup state: descriptors per content hash, the groups found, and the user's keep/split decisions."""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass
from typing import Iterable

from loraprep.store.db import now


def load_descriptors(conn: sqlite3.Connection, version: int) -> dict[str, bytes]:
    return {r[0]: r[1] for r in conn.execute("SELECT image_id, data FROM dedup_descriptors WHERE version=?", (version,))}


def save_descriptors(conn: sqlite3.Connection, version: int, items: Iterable[tuple[str, bytes]]) -> None:
    conn.executemany("INSERT OR REPLACE INTO dedup_descriptors (image_id, version, data) VALUES (?,?,?)",
                     [(image_id, version, data) for image_id, data in items])


@dataclass(frozen=True)
class StoredMember:
    file_id: int
    distance: float
    why: str
    keeper: bool
    decided_by: str


@dataclass(frozen=True)
class StoredGroup:
    id: str
    keeper: int
    members: tuple[StoredMember, ...]


def replace_groups(conn: sqlite3.Connection, groups: Iterable[StoredGroup]) -> None:
    """Store the groups of the latest run in place of the previous ones."""
    conn.execute("DELETE FROM dedup_members")
    conn.execute("DELETE FROM dedup_groups")
    at = now()
    for g in groups:
        conn.execute("INSERT INTO dedup_groups (id, keeper, created) VALUES (?,?,?)", (g.id, g.keeper, at))
        conn.executemany(
            "INSERT INTO dedup_members (group_id, file_id, distance, why, keeper, decided_by) VALUES (?,?,?,?,?,?)",
            [(g.id, m.file_id, m.distance, m.why, int(m.keeper), m.decided_by) for m in g.members])


def load_groups(conn: sqlite3.Connection) -> list[StoredGroup]:
    groups: dict[str, list[StoredMember]] = {}
    keepers: dict[str, int] = {}
    for r in conn.execute("SELECT id, keeper FROM dedup_groups ORDER BY id"):
        groups[r[0]] = []
        keepers[r[0]] = r[1]
    for r in conn.execute("SELECT group_id, file_id, distance, why, keeper, decided_by FROM dedup_members"
                          " ORDER BY group_id, keeper DESC, distance"):
        groups[r[0]].append(StoredMember(r[1], r[2], r[3], bool(r[4]), r[5]))
    return [StoredGroup(gid, keepers[gid], tuple(ms)) for gid, ms in groups.items()]


def add_decision(conn: sqlite3.Connection, kind: str, subject: list[str] | str) -> None:
    value = json.dumps(sorted(subject)) if isinstance(subject, list) else subject
    conn.execute("INSERT INTO dedup_decisions (kind, subject, at) VALUES (?,?,?)", (kind, value, now()))


def load_decisions(conn: sqlite3.Connection) -> tuple[list[str], list[list[str]]]:
    """(image ids the user chose to keep, newest last; member-id lists the user split apart)."""
    keeps, splits = [], []
    for kind, subject in conn.execute("SELECT kind, subject FROM dedup_decisions ORDER BY id"):
        if kind == "keep":
            keeps.append(subject)
        else:
            splits.append(json.loads(subject))
    return keeps, splits


def images_with_words(conn: sqlite3.Connection) -> set[str]:
    """Image ids with a caption import or a user operation in a done batch: the copies a user has spoken about."""
    from loraprep.store.id_packing import unpack_ids

    done = "JOIN batches b ON b.id = t.batch_id WHERE b.state = 'done'"
    ids = {r[0] for r in conn.execute(f"SELECT DISTINCT t.image_id FROM tag_ops t {done} AND t.source != 'rule'")}
    for packing, blob in conn.execute(f"SELECT t.packing, t.images FROM tag_op_sets t {done} AND t.source = 'user'"):
        ids.update(unpack_ids(packing, blob))
    return ids


def carried_into(conn: sqlite3.Connection, prefix: str) -> dict[str, set[str]]:
    """keeper image id -> the origins (``prefix`` + donor path) of words ever carried to it; a carry the user undid
    counts too (their undo is their word: it is not carried again)."""
    from loraprep.store.id_packing import unpack_ids

    done = "WHERE t.origin LIKE ? ESCAPE '\\'"
    like = prefix.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
    out: dict[str, set[str]] = {}
    for image_id, origin in conn.execute(f"SELECT t.image_id, t.origin FROM tag_ops t {done}", (like,)):
        out.setdefault(image_id, set()).add(origin)
    for origin, packing, blob in conn.execute(f"SELECT t.origin, t.packing, t.images FROM tag_op_sets t {done}",
                                              (like,)):
        for image_id in unpack_ids(packing, blob):
            out.setdefault(image_id, set()).add(origin)
    return out


def tiers_set_by_user(conn: sqlite3.Connection) -> set[int]:
    """File ids whose tier a done journal batch set (the user's word on the tier wins over a carried one)."""
    return {r[0] for r in conn.execute("SELECT DISTINCT f.file_id FROM file_ops f JOIN batches b ON b.id = f.batch_id"
                                       " WHERE b.state = 'done' AND f.field = 'tier'")}


def set_exclusions(conn: sqlite3.Connection, reason_prefix: str, wanted: dict[int, str]) -> None:
    """Make the files excluded with a reason starting ``reason_prefix`` exactly ``wanted`` (file id -> reason):
    the others active again. Only the rows that change are written (a rerun that finds the same 11,000
    duplicates wrote each row twice, and the health tally's triggers with it: 0.6 s at 20,000 images)."""
    current = dict(conn.execute("SELECT id, reason FROM files WHERE status='excluded' AND reason LIKE ?",
                                (reason_prefix + "%",)).fetchall())
    conn.executemany("UPDATE files SET status='active', reason='' WHERE id=?",
                     [(file_id,) for file_id in current if file_id not in wanted])
    conn.executemany("UPDATE files SET status='excluded', reason=? WHERE id=?",
                     [(reason, file_id) for file_id, reason in wanted.items() if current.get(file_id) != reason])
