"""The engine's writes: an edit planned and recorded in one write transaction, and undo/redo's effect in memory."""

from __future__ import annotations

from loraprep.engine.edits import TAG_KINDS, EditOp, file_ops_for, tag_sets_for
from loraprep.engine.replay import after_write, replay_sets
from loraprep.rules.effective import shows
from loraprep.store import journal
from loraprep.store.journal import FileOp, TagOpSet


class Writes:
    """Edits of one workspace (handed to it): plan, preview, apply, and bringing it up to date after a step."""

    def __init__(self, ws):
        self.ws = ws

    def plan(self, edit: EditOp, file_ids: list[int]) -> tuple[list[TagOpSet], list[FileOp], list[int]]:
        """What an edit would write: tag operation sets, file operations, and the files that change."""
        ws = self.ws
        if edit.kind not in TAG_KINDS:
            file_ops = [op for fid in file_ids for op in file_ops_for(edit, ws.entry(fid).file)]
            return [], file_ops, list(dict.fromkeys(op.file_id for op in file_ops))
        entries = ws.entries
        missing = [fid for fid in file_ids if fid not in entries]
        if missing:
            ws.entry(missing[0])  # raises the one error shape for an unknown id
        images = [entries[fid].file.image_id for fid in file_ids]
        # two files with identical bytes share an image id: one operation
        unique = [i for i in dict.fromkeys(images) if i]
        chosen, files_of = set(file_ids), ws.files_of_image

        def shown(tag: str) -> set[str]:
            found = ws.images_showing(tag)
            if edit.kind in ("remove", "replace", "consolidate") and tag in edit.tags:
                # A tag a rule put there (trigger, fixed slot, alias target) is shown like any other, so the
                # user can remove it too: the rules honour a user remove.
                found = found | {i for i in unique if i not in found and any(
                    tag in ws.verdict(f).names for f in files_of.get(i, ()) if f in chosen)}
            return found

        def pinned(tag: str) -> set[str]:
            return {i for i in unique if ws.pinned(i, tag)}

        def in_front(tag: str) -> set[str]:
            states = ws.states
            return {i for i in unique if _added_in_front(states.get(i, {}).get(tag))}

        sets = tag_sets_for(edit, unique, shown, pinned, in_front)
        touched = set().union(*(s.image_ids for s in sets))
        return sets, [], [fid for fid, image_id in zip(file_ids, images) if image_id in touched]

    def preview(self, edit: EditOp, file_ids: list[int], *, examples: int = 5) -> dict:
        """Dry run: how many images change, and a few before/after examples; writes nothing."""
        sets, file_ops, changed = self.plan(edit, file_ids)
        samples = []
        for fid in changed[:examples]:
            record = self.ws.entry(fid).file
            samples.append({"id": fid, "path": record.path,
                            "ops": [f"{s.op} {s.tag}" for s in sets if record.image_id in s.image_ids] +
                                   [f"{o.field}: {o.old} -> {o.new}" for o in file_ops if o.file_id == fid]})
        return {"edit": edit.label, "selected": len(file_ids), "changed": len(changed), "examples": samples}

    def apply(self, edit: EditOp, file_ids: list[int], *, source: str = "user") -> dict:
        """Apply an edit as one undoable batch.

        Planned inside the write transaction, after reading what other writers committed: a plan made before
        taking the lock could miss a commit that lands in between (an add-to-all racing a remove-from-all then
        changed only the stale half of the images).
        """
        ws = self.ws
        with ws.store.write() as conn:
            ws.refresh()
            sets, file_ops, changed = self.plan(edit, file_ids)
            batch_id = journal.record_batch(conn, edit.label, source, file_ops=file_ops, tag_sets=sets,
                                            via=ws.writer)
        after_write(ws, *replay_sets(ws, sets, source), [(o.file_id, o.field, o.new) for o in file_ops], changed)
        return {"batch_id": batch_id, "edit": edit.label, "changed": len(changed),
                "tag_ops": sum(len(s.image_ids) for s in sets), "file_ops": len(file_ops)}

    def stepped(self, batch) -> dict:
        """Bring the workspace up to date after ``batch`` was undone or redone in the store (ops/history.py)."""
        ws = self.ws
        conn = ws.store.conn
        image_ids, tags = journal.batch_scope(conn, batch.id)
        files = journal.file_changes(conn, batch.id, batch.state == "undone")
        # Only the batch's own tags on its own images can change: replay just those, and put them back in journal
        # order (an image's states are kept in the order the journal first speaks of each tag: added tags follow
        # it in the caption). A caption import written after the batch (imports do not end the redo stack) can
        # have spoken of one of them first: then the images are replayed whole.
        later_import = journal.import_after(conn, batch.id)
        fresh = journal.tag_states(conn, image_ids, tags=None if later_import else tags) if image_ids else {}
        moves: dict[tuple[str, int], list[str]] = {}
        for image_id in image_ids:
            per_image, replayed = ws.states.setdefault(image_id, {}), fresh.get(image_id, {})
            in_tagger = ws.tagger_of(image_id).name_set
            in_order = [*replayed, *(t for t in per_image if t not in replayed)] if later_import \
                else [*(t for t in replayed if t in tags), *(t for t in tags if t not in replayed)]
            for t in in_order:
                old, new = per_image.get(t), replayed.get(t)
                if old == new:
                    continue
                delta = shows(new, t in in_tagger) - shows(old, t in in_tagger)
                if delta:
                    moves.setdefault((t, delta), []).append(image_id)
                if new is None:
                    del per_image[t]
                else:
                    per_image[t] = new
            if later_import:
                ws.states[image_id] = dict(replayed)
        after_write(ws, image_ids, moves, files)
        return {"batch_id": batch.id, "label": batch.label, "state": batch.state}


def _added_in_front(state) -> bool:
    return state is not None and state.front and state.user in ("add", "pin")
