"""Journal replay in memory: a write's tag operations applied to the states, and the per-tag incremental update of
everything derived from them (bases, verdicts, concept counts, the images showing each tag)."""

from __future__ import annotations

from collections import Counter
from dataclasses import replace
from itertools import chain, repeat

from loraprep.engine.entry import Entry
from loraprep.model.image import FileRecord
from loraprep.rules.context import core_change_matters
from loraprep.rules.effective import shows
from loraprep.store import journal
from loraprep.store.journal import TagOpSet


def replay_sets(ws, sets: list[TagOpSet], source: str) -> tuple[set[str], dict[tuple[str, int], list[str]]]:
    """The store's replay of a batch we just wrote, applied to ``ws.states`` (no journal read back).

    Returns the images it touched and, per (tag, +1 or -1), the images that now show that tag or no longer
    do. A batch from ``Writes.plan`` speaks of each (image, tag) once.
    """
    states = ws.states
    moves: dict[tuple[str, int], list[str]] = {}
    touched: set[str] = set()
    for s in sets:
        tag, op, origin = s.tag, s.op, s.origin
        touched.update(s.image_ids)
        showing = ws.showing.get(tag)  # before this write: moved only after the replay
        gained: list[str] = []
        lost: list[str] = []
        # Per state object before (states are shared objects: keyed by identity, the entry holding the
        # object so its id cannot be reused meanwhile): the state after, and whether the tag shows after
        # (None when that depends on the tagger).
        memo: dict[int, tuple] = {}
        for image_id in s.image_ids:
            per_image = states.get(image_id)
            if per_image is None:
                per_image = states[image_id] = {}
            current = per_image.get(tag)
            found = memo.get(id(current))
            if found is None:
                after = journal.replay(current, op, source, origin)
                with_tagger, without = shows(after, True), shows(after, False)
                found = memo[id(current)] = (after, with_tagger if with_tagger == without else None, current)
            per_image[tag] = found[0]
            now = found[1]
            if now is None or showing is None:
                from_tagger = tag in ws.tagger_of(image_id).name_set
                now = shows(found[0], from_tagger)
                before = shows(current, from_tagger)
            else:
                before = image_id in showing
            if now != before:
                (gained if now else lost).append(image_id)
        if gained:
            moves.setdefault((tag, 1), []).extend(gained)
        if lost:
            moves.setdefault((tag, -1), []).extend(lost)
    return touched, moves


def after_write(ws, images: set[str], moves: dict[tuple[str, int], list[str]],
                file_changes: list[tuple[int, str, str]], written: list[int] | None = None) -> None:
    """Bring the workspace up to date with its own write, touching only what changed.

    ``images`` had their journal states changed (``ws.states`` already has the new ones); ``file_changes``
    are the (file, field, value) the write set, in order (the store's own rule, ``journal.file_columns``,
    gives the records in memory without reading them back); ``moves`` lists,
    per (tag, +1 / -1), the images that now show that tag or no longer do. Concept counts move by those; the
    images' bases are rebuilt when next read. The files whose verdict may have changed are marked as this
    write's change (``ws.changed_since``): the written ones, and every image of a concept whose core traits
    moved (the editor repaints just those). ``written`` may name the files of ``images`` the caller already
    knows (an edit's targets): only files sharing their bytes with them are then looked up.
    """
    stats = ws.running
    before_core = {c: _core(stats.get(c)) for c in stats.concepts()} if stats is not None else {}
    entries, files_of = ws.entries, ws.files_of_image
    changed_files: dict[int, FileRecord] = {}
    for fid, field, value in file_changes:
        record = changed_files.get(fid) or (entries[fid].file if fid in entries else None)
        if record is not None:
            changed_files[fid] = replace(record, **journal.file_columns(field, value))
    touched: set[str] = set()
    changed: set[int] = set()
    leaving: dict[str, list] = {}   # concept -> base names of the files that stop counting there
    joining: dict[str, list] = {}
    for fid, record in changed_files.items():
        e = entries[fid]
        retagged = record.image_id in images
        old_names = _names_before(e, [(t, d) for (t, d), ids in moves.items() if record.image_id in ids])
        # A file whose tags this write left alone keeps its base: only the rules' verdict is redone.
        fresh = entries[fid] = Entry(record, None if retagged else e.kept_lean(), ws.lean_of)
        if e.file.status == "active":
            leaving.setdefault(e.file.concept, []).append(old_names)
        if record.status == "active":
            joining.setdefault(record.concept, []).append(fresh.lean.names)
        touched.update((e.file.concept, record.concept))
        changed.add(fid)
    if stats is not None:
        for concept, name_lists in leaving.items():
            stats.add_many(concept, name_lists, -1)
        for concept, name_lists in joining.items():
            stats.add_many(concept, name_lists)
    if changed_files:
        ws.files_moved()
    if written is None:
        outdated = [fid for fid in chain.from_iterable(map(files_of.get, images, repeat(()))) if fid in entries]
    else:
        known = set(written)
        outdated = written + [f for i in images & ws.shared_images for f in files_of[i]
                              if f not in known and f in entries]
    if changed_files:
        outdated = [fid for fid in outdated if fid not in changed_files]
    changed.update(outdated)
    for e in map(entries.__getitem__, outdated):
        e.forget_all()  # the journal's word on the image changed: all derived from it is rebuilt on next read
    for (tag, delta), ids in moves.items():
        showing = ws.showing.get(tag)
        if showing is not None:
            if delta > 0:
                showing.update(ids)
            else:
                showing.difference_update(ids)
    if stats is not None:
        for (tag, delta), ids in moves.items():
            # Files changed in this write were counted afresh above: the moves are for the others.
            per_concept = ws.concept_counts(ids) if not changed_files \
                else Counter(entries[f].file.concept for i in ids for f in files_of.get(i, ())
                             if f not in changed_files and f in entries and entries[f].file.status == "active")
            for concept, images_there in per_concept.items():
                stats.shift(concept, {tag: delta * images_there})
                touched.add(concept)
        # Core tags are per concept: where an edit moved them, the verdict may change for every image there.
        moved = {c for c in touched if core_change_matters(before_core.get(c, frozenset()), _core(stats.get(c)))}
        if moved:
            for fid, e in entries.items():
                if e.file.concept in moved:
                    e.forget_rules()
                    changed.add(fid)
    ws.versions.mark(changed)


def _names_before(e: Entry, moves: list[tuple[str, int]]):
    """A file's base names before this write, for the concept counts (a set where its tags changed too)."""
    if e.built or not moves:  # built before the write, or the write changed nothing it shows
        return e.lean.names
    return (set(e.lean.names) - {t for t, d in moves if d > 0}) | {t for t, d in moves if d < 0}


def _core(stats) -> frozenset:
    return stats.core if stats is not None else frozenset()
