"""The edit journal: batches of tag and file operations, undo/redo by batch, nothing ever deleted."""

from __future__ import annotations

import heapq
import sqlite3
from collections import defaultdict
from dataclasses import dataclass, replace
from typing import Iterable, Iterator

from loraprep.errors import ConflictError, NothingToDoError
from loraprep.model.tags import FRONT
from loraprep.store.db import Store, now
from loraprep.store.fields import FieldOp, insert_field_ops
from loraprep.store.id_packing import pack_ids, unpack_ids


@dataclass(frozen=True)
class TagOp:
    """One tag operation to record: ``op`` is add | remove | pin | unpin."""

    image_id: str
    tag: str
    op: str
    origin: str = "user"


@dataclass(frozen=True)
class TagOpSet:
    """One tag operation applied to many images, in their order: how a batch edit is recorded."""

    tag: str
    op: str
    image_ids: tuple[str, ...]
    origin: str = "user"


@dataclass(frozen=True)
class FileOp:
    """One change of a file's status, concept or tier."""

    file_id: int
    field: str
    old: str
    new: str


@dataclass(frozen=True)
class Batch:
    id: int
    at: str
    label: str
    source: str
    state: str
    tag_ops: int
    file_ops: int  # file operations and caption-field operations (store/fields.py)
    via: str | None = None  # 'web' (the editor) or 'cli' (a command, the Python API); None: written before v4


@dataclass(frozen=True)
class TagState:
    """What the journal says of one tag on one image: imported from a caption, and the user's last word."""

    imported: bool = False
    import_origin: str = ""
    user: str | None = None  # 'add' | 'remove' | 'pin' | None
    rule: str | None = None  # 'add' | 'remove' from a written curate batch
    front: bool = False      # the user added it at the front of the caption (after the trigger and fixed slots)


def record_batch(conn: sqlite3.Connection, label: str, source: str, tag_ops: Iterable[TagOp] = (),
                 file_ops: Iterable[FileOp] = (), tag_sets: Iterable[TagOpSet] = (), *, via: str = "cli",
                 field_ops: Iterable[FieldOp] = ()) -> int | None:
    """Write one batch inside the caller's transaction; a new user batch abandons the redo stack.

    Tag operations go in as sets (one row per tag and operation) whenever that keeps every image's own order
    of operations; otherwise one row each.
    """
    tag_ops, file_ops, tag_sets = list(tag_ops), list(file_ops), [s for s in tag_sets if s.image_ids]
    field_ops = list(field_ops)
    if tag_ops and tag_sets:
        raise ValueError("a batch records its tag operations either one by one or as sets, not both")
    if not tag_ops and not file_ops and not tag_sets and not field_ops:
        return None
    at = now()
    if source != "import":
        conn.execute("UPDATE batches SET state='abandoned' WHERE state='undone'")
    batch_id = int(conn.execute("INSERT INTO batches (at, label, source, via) VALUES (?,?,?,?)",
                                (at, label, source, via)).lastrowid)
    if tag_ops and source != "import":  # imports stay rows: scan reads one image's imports through the index
        tag_sets = as_sets(tag_ops) or []
        if tag_sets:
            tag_ops = []
    if tag_sets:
        conn.executemany(
            "INSERT INTO tag_op_sets (batch_id, tag, op, source, origin, at, packing, images, count)"
            " VALUES (?,?,?,?,?,?,?,?,?)",
            [(batch_id, s.tag, s.op, source, s.origin, at, *pack_ids(list(s.image_ids)), len(s.image_ids))
             for s in tag_sets])
    rows = [(batch_id, o.image_id, o.tag, o.op, source, o.origin, at) for o in tag_ops]
    # Grouped by image, as the index is: a third faster for 10,000 rows. The sort is stable, so one image's
    # operations keep their order (a caption's tag order, and replay, depend on it).
    rows.sort(key=_image_of)
    conn.executemany(
        "INSERT INTO tag_ops (batch_id, image_id, tag, op, source, origin, at) VALUES (?,?,?,?,?,?,?)", rows)
    conn.executemany("INSERT INTO file_ops (batch_id, file_id, field, old, new, at) VALUES (?,?,?,?,?,?)",
                     [(batch_id, o.file_id, o.field, o.old, o.new, at) for o in file_ops])
    _set_file_fields(conn, [(o.file_id, o.field, o.new) for o in file_ops])
    insert_field_ops(conn, batch_id, field_ops, at)
    return batch_id


def _image_of(row: tuple) -> str:
    return row[1]


def as_sets(tag_ops: list[TagOp]) -> list[TagOpSet] | None:
    """The same operations as sets, when replaying the sets in order gives every image its operations in their
    own order; None when some image's order would change (say ``b`` before ``a`` on one image, ``a`` before
    ``b`` on another)."""
    index: dict[tuple[str, str, str], int] = {}
    members: list[list[str]] = []
    last: dict[str, int] = {}
    for o in tag_ops:
        key = (o.tag, o.op, o.origin)
        at = index.get(key)
        if at is None:
            at = index[key] = len(members)
            members.append([])
        if last.get(o.image_id, -1) >= at:
            return None
        last[o.image_id] = at
        members[at].append(o.image_id)
    return [TagOpSet(tag, op, tuple(ids), origin) for (tag, op, origin), ids in zip(index, members)]


def file_columns(field: str, value: str) -> dict[str, str]:
    """The columns of ``files`` one file operation sets: a status also sets the reason (``user`` when excluded)."""
    if field == "status":
        return {"status": value, "reason": "user" if value == "excluded" else ""}
    if field in ("concept", "tier"):
        return {field: value}
    raise ValueError(f"no file field {field!r}")


def _set_file_fields(conn: sqlite3.Connection, changes: list[tuple[int, str, str]]) -> None:
    """Write (file, field, value) changes; one statement per field (fields are separate columns, so only the
    order within a field matters, and executemany keeps it)."""
    by_field: dict[str, list[tuple]] = defaultdict(list)
    for file_id, field, value in changes:
        columns = file_columns(field, value)
        by_field[field].append((*columns.values(), file_id))
    for field, rows in by_field.items():
        assignments = ", ".join(f"{c}=?" for c in file_columns(field, rows[0][0]))
        conn.executemany(f"UPDATE files SET {assignments} WHERE id=?", rows)


def file_changes(conn: sqlite3.Connection, batch_id: int, undone: bool) -> list[tuple[int, str, str]]:
    """(file, field, value) that a batch's file operations set, in the order they apply: the new values when it
    is done, the old ones in reverse order when it is undone."""
    rows = conn.execute("SELECT file_id, field, old, new FROM file_ops WHERE batch_id=? ORDER BY seq "
                        + ("DESC" if undone else "ASC"), (batch_id,)).fetchall()
    return [(r["file_id"], r["field"], r["old"] if undone else r["new"]) for r in rows]


UNDOABLE = "SELECT id FROM batches WHERE state='done' AND source!='import' ORDER BY id DESC LIMIT 1"
REDOABLE = ("SELECT b.id FROM batches b JOIN journal_events e ON e.batch_id = b.id "
            "WHERE b.state='undone' AND e.event='undo' ORDER BY e.id DESC LIMIT 1")


def undo(store: Store, *, expected: int | None = None) -> Batch:
    """Undo the newest undoable (user or rule) batch; with ``expected``, only if that is the one."""
    return _step(store, UNDOABLE, "undone", expected, "nothing to undo",
                 "`loraprep history DATASET` lists the journal")


def redo(store: Store, *, expected: int | None = None) -> Batch:
    """Redo the most recently undone batch; with ``expected``, only if that is the one."""
    return _step(store, REDOABLE, "done", expected, "nothing to redo",
                 "redo works right after an undo, before a new edit")


def next_steps(store: Store) -> tuple[Batch | None, Batch | None]:
    """The batch an undo would undo and the one a redo would redo now (None where there is none)."""
    found = [store.conn.execute(sql).fetchone() for sql in (UNDOABLE, REDOABLE)]
    return tuple(get_batch(store, row[0]) if row else None for row in found)


def _step(store: Store, sql: str, state: str, expected: int | None, nothing: str, hint: str) -> Batch:
    with store.write() as conn:
        row = conn.execute(sql).fetchone()
        if row is None:
            raise NothingToDoError(nothing, hint=hint)
        if expected is not None and row[0] != expected:
            # Checked under the write lock: another writer's batch may have become the newest since the caller
            # looked, and undoing that one instead would undo somebody else's work unseen.
            newest = get_batch(store, row[0])
            raise ConflictError(f"batch {expected} is no longer the one to {'undo' if state == 'undone' else 'redo'}:"
                                f" it is now batch {newest.id} ({newest.label!r}, {describe_via(newest.via)})",
                                hint="look at History, then undo or redo again")
        _flip(conn, row[0], state)
    return get_batch(store, row[0])


def describe_via(via: str | None) -> str:
    """Who wrote a batch, in words."""
    return {"web": "written in the editor", "cli": "written by a loraprep command"}.get(via or "", "writer unknown")


def _flip(conn: sqlite3.Connection, batch_id: int, state: str) -> None:
    conn.execute("UPDATE batches SET state=? WHERE id=?", (state, batch_id))
    conn.execute("INSERT INTO journal_events (batch_id, event, at) VALUES (?,?,?)",
                 (batch_id, "undo" if state == "undone" else "redo", now()))
    _set_file_fields(conn, file_changes(conn, batch_id, state == "undone"))


def get_batch(store: Store, batch_id: int) -> Batch:
    return history(store, batch_id=batch_id)[0]


def history(store: Store, *, limit: int = 50, batch_id: int | None = None) -> list[Batch]:
    """Batches, newest first, with their op counts."""
    where = "WHERE b.id = ?" if batch_id is not None else ""
    params: tuple = (batch_id,) if batch_id is not None else ()
    rows = store.conn.execute(
        f"SELECT b.*, (SELECT COUNT(*) FROM tag_ops t WHERE t.batch_id=b.id)"
        f" + (SELECT COALESCE(SUM(count), 0) FROM tag_op_sets s WHERE s.batch_id=b.id) AS n_tag,"
        f" (SELECT COUNT(*) FROM file_ops f WHERE f.batch_id=b.id)"
        f" + (SELECT COUNT(*) FROM field_ops d WHERE d.batch_id=b.id) AS n_file FROM batches b {where}"
        f" ORDER BY b.id DESC LIMIT ?", (*params, limit)).fetchall()
    return [Batch(r["id"], r["at"], r["label"], r["source"], r["state"], r["n_tag"], r["n_file"], r["via"])
            for r in rows]


def tag_states(conn: sqlite3.Connection, image_ids: Iterable[str] | None = None, *,
               imports_only: bool = False, tags: Iterable[str] | None = None) -> dict[str, dict[str, TagState]]:
    """Replay the done batches in order: per image, per tag, what import, rules and the user said last.

    ``imports_only`` replays just the caption imports (always rows, read through the index): enough to know
    what is imported, and cheap for one image. ``tags`` replays only those tags (a tag's state depends on its
    own operations alone): what an undo needs.
    """
    wanted = None if image_ids is None else set(image_ids)
    states: dict[str, dict[str, TagState]] = defaultdict(dict)
    memo: dict[tuple, tuple[TagState, TagState | None]] = {}
    for _batch, _seq, ids, tag, op, source, origin in _done_ops(conn, wanted, imports_only, tags):
        for image_id in ids:
            per_image = states[image_id]
            current = per_image.get(tag)
            # By identity: equal states are mostly the same object, and hashing a dataclass is a Python call.
            # The memo holds ``current`` too, so its id cannot be reused while the memo lives.
            key = (id(current), op, source, origin)
            found = memo.get(key)
            if found is None:
                found = memo[key] = (replay(current, op, source, origin), current)
            per_image[tag] = found[0]
    return states


def _done_ops(conn: sqlite3.Connection, wanted: set[str] | None, imports_only: bool = False,
              tags: Iterable[str] | None = None) -> Iterator[tuple]:
    """(batch, seq, image ids, tag, op, source, origin) of the done batches in journal order, rows and sets
    merged (a batch is recorded in one form)."""
    sql = ("SELECT t.batch_id, t.seq, t.image_id, t.tag, t.op, t.source, t.origin FROM tag_ops t"
           " JOIN batches b ON b.id = t.batch_id WHERE b.state = 'done'")
    params: list = []
    if wanted is not None and len(wanted) <= 900:
        sql += f" AND t.image_id IN ({','.join('?' * len(wanted))})"
        params = list(wanted)
    tag_filter, tag_params = "", []
    if tags is not None:
        tag_params = sorted(set(tags))
        tag_filter = f" IN ({','.join('?' * len(tag_params))})"
        sql += " AND t.tag" + tag_filter
        params += tag_params
    if imports_only:
        sql += " AND t.source = 'import'"
    rows = ((b, q, (i,), t, o, s, g) for b, q, i, t, o, s, g in conn.execute(sql + " ORDER BY t.seq", params)
            if wanted is None or i in wanted)
    if imports_only:
        return rows
    sets = conn.execute("SELECT s.batch_id, s.seq, s.tag, s.op, s.source, s.origin, s.packing, s.images"
                        " FROM tag_op_sets s JOIN batches b ON b.id = s.batch_id WHERE b.state = 'done'"
                        + (" AND s.tag" + tag_filter if tag_filter else "") + " ORDER BY s.seq", tag_params)

    def expanded():
        for b, q, t, o, s, g, packing, blob in sets:
            ids = unpack_ids(packing, blob)
            if wanted is not None:
                ids = [i for i in ids if i in wanted]
            yield b, q, ids, t, o, s, g

    return heapq.merge(rows, expanded(), key=_journal_order)


def _journal_order(event: tuple) -> tuple[int, int]:
    return event[0], event[1]


def batch_scope(conn: sqlite3.Connection, batch_id: int) -> tuple[set[str], set[str]]:
    """(images, tags) a batch's tag operations touch: all an undo or redo of it can change."""
    images, tags = set(), set()
    for image_id, tag in conn.execute("SELECT image_id, tag FROM tag_ops WHERE batch_id=?", (batch_id,)):
        images.add(image_id)
        tags.add(tag)
    for tag, packing, blob in conn.execute("SELECT tag, packing, images FROM tag_op_sets WHERE batch_id=?",
                                           (batch_id,)):
        images.update(unpack_ids(packing, blob))
        tags.add(tag)
    return images, tags


def tag_op_count(conn: sqlite3.Connection) -> int:
    """How many tag operations the journal holds, whichever form they were recorded in."""
    return conn.execute("SELECT (SELECT COUNT(*) FROM tag_ops)"
                        " + (SELECT COALESCE(SUM(count), 0) FROM tag_op_sets)").fetchone()[0]


def replay(current: TagState | None, op: str, source: str, origin: str) -> TagState:
    """One operation's effect on what the journal says of a tag (pure; the order of operations matters)."""
    current = current or TagState()
    if source == "import":
        return replace(current, imported=op == "add", import_origin=origin if op == "add" else "")
    if source == "rule":
        return replace(current, rule=op)
    if op == "unpin":
        return replace(current, user="add")
    if op == "pin":
        return replace(current, user="pin")
    # An add says where (the front, or wherever the recipe's order puts it); a remove forgets the place.
    return replace(current, user=op, front=op == "add" and origin == FRONT)


def imported_tags(conn: sqlite3.Connection, image_id: str) -> list[str]:
    """Tags currently imported from caption files for one image, in file order."""
    states = tag_states(conn, [image_id], imports_only=True).get(image_id, {})
    return [tag for tag, state in states.items() if state.imported]


def import_after(conn: sqlite3.Connection, batch_id: int) -> bool:
    """Whether a caption import was recorded after ``batch_id`` (imports do not end the redo stack)."""
    return conn.execute("SELECT 1 FROM batches WHERE id > ? AND source = 'import' LIMIT 1",
                        (batch_id,)).fetchone() is not None
