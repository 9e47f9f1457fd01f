"""Workspace: one dataset's tags held in memory for the CLI and the editor, updated incrementally on edits."""

from __future__ import annotations

from collections import Counter
from dataclasses import replace
from itertools import chain, count, repeat
from typing import NamedTuple
from pathlib import Path

from loraprep.errors import NotFoundError
from loraprep.model.image import FileRecord
from loraprep.model.tags import LeanBase
from loraprep.model.thresholds import Thresholds, thresholds_for
from loraprep.ops.edits import TAG_KINDS, EditOp, file_ops_for, tag_sets_for
from loraprep.ops.recipe import load_dataset_recipe
from loraprep.ops.workspace_extras import WorkspaceExtras
from loraprep.rules.context import core_change_matters
from loraprep.rules.effective import lean_base, lean_tagger, shows
from loraprep.store import journal
from loraprep.store import tags as tag_rows
from loraprep.store.db import data_version, open_store
from loraprep.store.files import list_files
from loraprep.store.journal import FileOp, TagOpSet

LIVE = ("active", "excluded", "failed")


EMPTY = LeanBase((), ())
_STAMPS = count(1)  # every entry's rows version: fresh on each change, never reused (the editor caches on it)
KEPT_CHANGES = 64  # writes remembered for changed_since; an older version is answered "everything"


class Row(NamedTuple):
    """What a list of images shows of one file: its record, the version of this answer, tags after the rules and
    the mean tagger score."""
    file: FileRecord
    version: int
    tags: int
    confidence: float


class Entry:
    """One file with its tags before rules (lean) and, once computed, the rules' verdict on them.

    After an edit the lean base is dropped and rebuilt on first read: a batch over 10,000 images rebuilds only
    the ones somebody looks at before the next edit.
    """

    __slots__ = ("file", "_lean", "_build", "tags", "result", "verdict", "view", "view_of", "stamp")

    def __init__(self, file: FileRecord, lean: LeanBase | None = None, build=None):
        self.file = file
        self._lean = lean
        self._build = build          # file -> LeanBase, from the workspace's current state
        self.tags: list | None = None  # the base as Tag objects, built when evidence is asked for
        self.result = None           # the rules' Verdict with evidence (Tag records), built on demand
        self.verdict = None          # the same Verdict from names alone: what bulk reads use
        self.view = None             # the selection view, valid while ``view_of is verdict``
        self.view_of = None
        self.stamp = next(_STAMPS)   # changes whenever anything a row shows may have changed

    @property
    def lean(self) -> LeanBase:
        if self._lean is None:
            self._lean = self._build(self.file)
        return self._lean

    @property
    def built(self) -> bool:
        return self._lean is not None

    @property
    def removed(self) -> frozenset:
        return self.lean.removed

    def forget_rules(self) -> None:
        self.result = self.verdict = None
        self.stamp = next(_STAMPS)


class Workspace(WorkspaceExtras):
    """A dataset opened for reading tags and editing them; the CLI and the web editor share this code."""

    def __init__(self, dataset: str | Path, *, recipe_path: Path | None = None, model: str | None = None):
        self.store = open_store(dataset)
        self.root = self.store.root
        self.recipe_path = recipe_path
        self.model_override = model
        self.recipe = load_dataset_recipe(self.root, recipe_path)
        self._concept_recipes: dict = {}
        self._threshold_changes: dict = {}  # set_thresholds' changes: they outlive a reload
        self.loads = 0  # how many times the store was read afresh (the editor compares it with what it showed)
        self.writer = "cli"  # recorded with each batch; the editor sets "web"
        self.version = 0  # bumped on every change of what the workspace shows
        self._changes: list[tuple[int, set[int]]] = []  # (version, files it changed), the newest KEPT_CHANGES
        self._floor = 0  # changed_since answers only for versions from here on
        self.reload()

    # ---- loading -------------------------------------------------------------------------------------------
    def reload(self) -> None:
        """Read everything from the store (used at start and when another process wrote)."""
        conn = self.store.conn
        self.loads += 1
        self._data_version = data_version(conn)
        used = tag_rows.models_used(conn)
        wanted = self.model_override or self.recipe.tagger.model
        self.model = next((m for m in used if wanted and (m == wanted or m.split("@")[0] == wanted)),
                          used[0] if used else None)
        self.scores = tag_rows.load_scores(conn, self.model) if self.model else {}
        self.thresholds = self._recipe_thresholds()
        self.states = journal.tag_states(conn)
        self.categories = tag_rows.vocabulary(conn)
        self._tagger: dict[str, LeanBase] = {}
        self._showing: dict[str, set[str]] = {}
        self.entries: dict[int, Entry] = {}
        self._files_of_image: dict[str, list[int]] = {}
        self._concepts_of_image: tuple[dict, dict] | None = None
        self._by_path: list[FileRecord] | None = None
        for f in list_files(self.store, statuses=LIVE):
            # Built now, not on first read: every command reads them all, and the editor opens its page
            # after this, not during it.
            self.entries[f.id] = Entry(f, self._lean_of(f) if f.image_id else EMPTY, self._lean_of)
            if f.image_id:
                self._files_of_image.setdefault(f.image_id, []).append(f.id)
        self._shared_images = {i for i, files in self._files_of_image.items() if len(files) > 1}
        self._stats = None
        self._mark(None)

    def refresh(self) -> bool:
        """Reload when another connection committed since we last looked; True when it did."""
        version = data_version(self.store.conn)
        if version != self._data_version:
            self.reload()
            return True
        return False

    def _entry(self, f: FileRecord) -> Entry:
        return Entry(f, None if f.image_id else EMPTY, self._lean_of)

    def _lean_of(self, f: FileRecord) -> LeanBase:
        """One file's tags before rules, from the scores, thresholds and journal states in memory now."""
        return lean_base(self.scores.get(f.image_id, ()), self.thresholds, self.states.get(f.image_id, {}),
                         self._tagger_of(f.image_id))

    def _tagger_of(self, image_id: str) -> LeanBase:
        tagger = self._tagger.get(image_id)
        if tagger is None:
            tagger = self._tagger[image_id] = lean_tagger(self.scores.get(image_id, ()), self.thresholds)
        return tagger

    def has_tag(self, image_id: str, tag: str) -> bool:
        """Whether an image shows ``tag`` before rules, from the journal states (no base rebuilt)."""
        per_image = self.states.get(image_id)
        return shows(per_image.get(tag) if per_image else None, tag in self._tagger_of(image_id).name_set)

    def pinned(self, image_id: str, tag: str) -> bool:
        state = self.states.get(image_id, {}).get(tag)
        return state is not None and state.user == "pin"

    def images_showing(self, tag: str) -> set[str]:
        """Every image that shows ``tag`` before rules. Kept per tag once asked for, and moved by each write's
        differences: a second batch edit of a tag decides without a pass over every image."""
        found = self._showing.get(tag)
        if found is None:
            if len(self._showing) >= 64:  # a bound on memory: each set may name every image
                self._showing.clear()
            has = self.has_tag
            found = self._showing[tag] = {i for i in self.scores.keys() | self.states.keys() if has(i, tag)}
        return found

    def base(self, file_id: int) -> list:
        """One file's tags before rules as Tag objects, with provenance (built on first ask)."""
        e = self.entry(file_id)
        if e.tags is None:
            scores = self.scores.get(e.file.image_id, ()) if e.file.image_id else ()
            e.tags = e.lean.tags(self.categories, {t: c for t, c, _s in scores})
        return e.tags

    def close(self) -> None:
        self.store.close()

    def __enter__(self) -> "Workspace":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    # ---- rules ---------------------------------------------------------------------------------------------
    def concept_stats(self) -> dict:
        """Tag frequencies and core tags per concept, over active images, before rules."""
        running = self._running_stats()
        return {c: running.get(c) for c in running.concepts()}

    def _running_stats(self):
        from loraprep.rules.running_stats import RunningStats

        if self._stats is None:
            self._stats = RunningStats(lambda c: self.concept_recipe(c).rules.core_frequency)
            by_concept: dict[str, list] = {}
            for e in self.entries.values():
                if e.file.status == "active":
                    by_concept.setdefault(e.file.concept, []).append(e.lean.names)
            for concept, name_lists in by_concept.items():
                self._stats.add_many(concept, name_lists)
        return self._stats

    def concept_recipe(self, concept: str):
        """The recipe resolved for one concept (cached: every image of the concept shares it)."""
        found = self._concept_recipes.get(concept)
        if found is None:
            found = self._concept_recipes[concept] = self.recipe.for_concept(concept)
        return found

    def result(self, file_id: int):
        """The rules' verdict with full evidence: kept Tags in caption order, dropped Tags with the rule's name."""
        from loraprep.rules.pipeline import apply_rules

        e = self.entry(file_id)
        if e.result is None:
            concept = e.file.concept
            e.result = apply_rules(self.base(file_id), self.concept_recipe(concept),
                                   self._running_stats().get(concept), user_removed=e.removed,
                                   seed_key=e.file.image_id or e.file.path, categories=self.categories)
        return e.result

    def verdict(self, file_id: int):
        """The rules' verdict from names alone: the same answer as ``result`` without evidence, for bulk reads."""
        from loraprep.rules.pipeline import apply_rules_lean

        e = self.entry(file_id)
        if e.verdict is None:
            concept = e.file.concept
            e.verdict = apply_rules_lean(e.lean, self.concept_recipe(concept), self._running_stats().get(concept),
                                         seed_key=e.file.image_id or e.file.path, categories=self.categories)
        return e.verdict

    def caption(self, file_id: int) -> str:
        from loraprep.rules.pipeline import render_caption

        e = self.entry(file_id)
        return render_caption(self.verdict(file_id), self.concept_recipe(e.file.concept))

    def entry(self, file_id: int) -> Entry:
        try:
            return self.entries[file_id]
        except KeyError:
            raise NotFoundError(f"no image with id {file_id}", hint="ids come from `loraprep tags --json` or the editor") from None

    # ---- thresholds ----------------------------------------------------------------------------------------
    def _recipe_thresholds(self) -> Thresholds:
        """The recipe's thresholds for the model in use (model/thresholds.py decides), then set_thresholds'."""
        from loraprep.tagging.registry import card_thresholds

        t = self.recipe.tagger
        found = thresholds_for(t.general, t.character, mcut=t.mcut, include_rating=t.include_rating,
                               card=card_thresholds(self.model), model=self.model and self.model.split("@")[0])
        return self._with_changes(found, self._threshold_changes)

    @staticmethod
    def _with_changes(thresholds: Thresholds, changes: dict) -> Thresholds:
        sources = ("asked now" if "general" in changes else thresholds.sources[0],
                   "asked now" if "character" in changes else thresholds.sources[1])
        return replace(thresholds, **changes, sources=sources)

    def set_thresholds(self, *, general: float | None = None, character: float | None = None,
                       mcut: bool | None = None, include_rating: bool | None = None) -> Thresholds:
        """Change thresholds in memory: every image's tags follow at once from the stored scores."""
        changes = {k: v for k, v in dict(general=general, character=character, mcut=mcut,
                                          include_rating=include_rating).items() if v is not None}
        self._threshold_changes.update(changes)
        self.thresholds = self._with_changes(self.thresholds, changes)
        self._tagger, self._showing = {}, {}
        for fid, e in list(self.entries.items()):
            self.entries[fid] = self._entry(e.file)
        self._stats = None
        self._mark(None)
        return self.thresholds

    # ---- edits ---------------------------------------------------------------------------------------------
    def plan_edit(self, edit: EditOp, file_ids: list[int]) -> tuple[list[TagOpSet], list[FileOp], list[int]]:
        """What an edit would write: tag operation sets, file operations, and the files that change."""
        if edit.kind not in TAG_KINDS:
            file_ops = [op for fid in file_ids for op in file_ops_for(edit, self.entry(fid).file)]
            return [], file_ops, list(dict.fromkeys(op.file_id for op in file_ops))
        entries = self.entries
        missing = [fid for fid in file_ids if fid not in entries]
        if missing:
            self.entry(missing[0])  # raises the one error shape for an unknown id
        images = [entries[fid].file.image_id for fid in file_ids]
        # two files with identical bytes share an image id: one operation
        unique = [i for i in dict.fromkeys(images) if i]
        chosen, files_of = set(file_ids), self._files_of_image

        def shown(tag: str) -> set[str]:
            found = self.images_showing(tag)
            if edit.kind in ("remove", "replace", "consolidate") and tag in edit.tags:
                # A tag a rule put there (trigger, fixed slot, alias target) is shown like any other, so the
                # user can remove it too: the rules honour a user remove.
                found = found | {i for i in unique if i not in found and any(
                    tag in self.verdict(f).names for f in files_of.get(i, ()) if f in chosen)}
            return found

        def pinned(tag: str) -> set[str]:
            return {i for i in unique if self.pinned(i, tag)}

        def in_front(tag: str) -> set[str]:
            states = self.states
            return {i for i in unique if _added_in_front(states.get(i, {}).get(tag))}

        sets = tag_sets_for(edit, unique, shown, pinned, in_front)
        touched = set().union(*(s.image_ids for s in sets))
        return sets, [], [fid for fid, image_id in zip(file_ids, images) if image_id in touched]

    def preview_edit(self, edit: EditOp, file_ids: list[int], *, examples: int = 5) -> dict:
        """Dry run: how many images change, and a few before/after examples; writes nothing."""
        sets, file_ops, changed = self.plan_edit(edit, file_ids)
        samples = []
        for fid in changed[:examples]:
            image_id = self.entry(fid).file.image_id
            samples.append({"id": fid, "path": self.entry(fid).file.path,
                            "ops": [f"{s.op} {s.tag}" for s in sets if image_id in s.image_ids] +
                                   [f"{o.field}: {o.old} -> {o.new}" for o in file_ops if o.file_id == fid]})
        return {"edit": edit.label, "selected": len(file_ids), "changed": len(changed), "examples": samples}

    def apply_edit(self, edit: EditOp, file_ids: list[int], *, source: str = "user") -> dict:
        """Apply an edit as one undoable batch.

        Planned inside the write transaction, after reading what other writers committed: a plan made before
        taking the lock could miss a commit that lands in between (an add-to-all racing a remove-from-all then
        changed only the stale half of the images).
        """
        with self.store.write() as conn:
            self.refresh()
            sets, file_ops, changed = self.plan_edit(edit, file_ids)
            batch_id = journal.record_batch(conn, edit.label, source, file_ops=file_ops, tag_sets=sets,
                                            via=self.writer)
        self._after_write(*self._replay_sets(sets, source), [(o.file_id, o.field, o.new) for o in file_ops], changed)
        return {"batch_id": batch_id, "edit": edit.label, "changed": len(changed),
                "tag_ops": sum(len(s.image_ids) for s in sets), "file_ops": len(file_ops)}

    def _replay_sets(self, sets: list[TagOpSet], source: str) -> tuple[set[str], dict[tuple[str, int], list[str]]]:
        """The store's replay of a batch we just wrote, applied to the states in memory (no journal read back).

        Returns the images it touched and, per (tag, +1 or -1), the images that now show that tag or no longer
        do. A batch from ``plan_edit`` speaks of each (image, tag) once.
        """
        states = self.states
        moves: dict[tuple[str, int], list[str]] = {}
        touched: set[str] = set()
        for s in sets:
            tag, op, origin = s.tag, s.op, s.origin
            touched.update(s.image_ids)
            showing = self._showing.get(tag)  # before this write: moved only after the replay
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
                    from_tagger = tag in self._tagger_of(image_id).name_set
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

    def undo(self, expected: int | None = None) -> dict:
        """Undo the newest batch; with ``expected``, only if that is still the newest (else ConflictError)."""
        return self._step("undo", expected)

    def redo(self, expected: int | None = None) -> dict:
        return self._step("redo", expected)

    def _step(self, name: str, expected: int | None) -> dict:
        from loraprep.ops.history import step_store

        self.refresh()
        batch = step_store(self.store, name, expected)
        conn = self.store.conn
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
            per_image, replayed = self.states.setdefault(image_id, {}), fresh.get(image_id, {})
            in_tagger = self._tagger_of(image_id).name_set
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
                self.states[image_id] = dict(replayed)
        self._after_write(image_ids, moves, files)
        return {"batch_id": batch.id, "label": batch.label, "state": batch.state}

    def _after_write(self, images: set[str], moves: dict[tuple[str, int], list[str]],
                     file_changes: list[tuple[int, str, str]], written: list[int] | None = None) -> None:
        """Bring the in-memory view up to date with our own write, touching only what changed.

        ``images`` had their journal states changed (``self.states`` already has the new ones); ``file_changes``
        are the (file, field, value) the write set, in order (the store's own rule, ``journal.file_columns``,
        gives the records in memory without reading them back); ``moves`` lists,
        per (tag, +1 / -1), the images that now show that tag or no longer do. Concept counts move by those; the
        images' bases are rebuilt when next read. The files whose verdict may have changed are marked as this
        write's change (``changed_since``): the written ones, and every image of a concept whose core traits moved (the editor
        repaints just those). ``written`` may name the files of ``images`` the caller already knows (an edit's
        targets): only files sharing their bytes with them are then looked up.
        """
        stats = self._stats
        before_core = {c: _core(stats.get(c)) for c in stats.concepts()} if stats is not None else {}
        entries, files_of = self.entries, self._files_of_image
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
            fresh = entries[fid] = Entry(record, None if retagged else e._lean, self._lean_of)
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
            self._concepts_of_image = self._by_path = None
        if written is None:
            outdated = [fid for fid in chain.from_iterable(map(files_of.get, images, repeat(()))) if fid in entries]
        else:
            known = set(written)
            outdated = written + [f for i in images & self._shared_images for f in files_of[i]
                                  if f not in known and f in entries]
        if changed_files:
            outdated = [fid for fid in outdated if fid not in changed_files]
        changed.update(outdated)
        for e in map(entries.__getitem__, outdated):
            # The journal's word on the image changed: all derived from it is rebuilt on next read (assigned
            # here, not through a method: this runs once per image of a batch edit).
            e._lean = e.tags = e.result = e.verdict = None
            e.stamp = next(_STAMPS)
        for (tag, delta), ids in moves.items():
            showing = self._showing.get(tag)
            if showing is not None:
                if delta > 0:
                    showing.update(ids)
                else:
                    showing.difference_update(ids)
        if stats is not None:
            for (tag, delta), ids in moves.items():
                # Files changed in this write were counted afresh above: the moves are for the others.
                per_concept = self._concept_counts(ids) if not changed_files \
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
        self._mark(changed)

    def _concept_counts(self, image_ids: list[str]) -> Counter:
        """How many active files of each concept these images have."""
        if self._concepts_of_image is None:
            single: dict[str, str] = {}       # the usual image: one active file
            several: dict[str, list[str]] = {}
            for e in self.entries.values():
                image_id = e.file.image_id
                if e.file.status != "active" or not image_id:
                    continue
                if image_id in several:
                    several[image_id].append(e.file.concept)
                elif image_id in single:
                    several[image_id] = [single.pop(image_id), e.file.concept]
                else:
                    single[image_id] = e.file.concept
            self._concepts_of_image = (single, several)
        single, several = self._concepts_of_image
        counts = Counter(map(single.get, image_ids))
        if counts.pop(None, 0) and several:
            counts.update(c for i in image_ids if i in several for c in several[i])
        return counts

    # ---- versions ------------------------------------------------------------------------------------------
    def _mark(self, changed: set[int] | None) -> None:
        """A new version: ``changed`` names the files it may have changed, None means every file may have."""
        self.version += 1
        if changed is None:
            self._changes, self._floor = [], self.version
            return
        self._changes.append((self.version, changed))
        if len(self._changes) > KEPT_CHANGES:
            self._floor = self._changes.pop(0)[0]

    def changed_since(self, version: int) -> set[int] | None:
        """The files whose rows may differ from what they were at ``version``; None when any may (the store was
        read afresh, the thresholds changed, or ``version`` is older than what is remembered)."""
        if version < self._floor:
            return None
        return set().union(*(ids for v, ids in self._changes if v > version))

    # ---- reading -------------------------------------------------------------------------------------------
    def ids(self) -> list[int]:
        """Every file's id (live files: active, excluded, failed)."""
        return list(self.entries)

    def has(self, file_id: int) -> bool:
        return file_id in self.entries

    def file(self, file_id: int) -> FileRecord:
        return self.entry(file_id).file

    def row_version(self, file_id: int) -> int:
        """A number that changes whenever the file's Row may have: a cache of rows keys on it."""
        return self.entry(file_id).stamp

    def row(self, file_id: int) -> Row:
        """One file as a list of images shows it (the rules run once for it, then kept until a change)."""
        e = self.entry(file_id)
        f = e.file
        if not f.image_id:
            return Row(f, e.stamp, 0, 0)
        scores = [s for s in e.lean.scores if s is not None]
        return Row(f, e.stamp, len(self.verdict(file_id).names),
                   round(sum(scores) / len(scores), 3) if scores else 0)

    def base_names(self, file_id: int) -> tuple:
        """One file's tag names before the rules."""
        return self.entry(file_id).lean.names

    def removed(self, file_id: int) -> frozenset:
        """The tags the user removed from one file."""
        return self.entry(file_id).removed

    def files(self, statuses=LIVE) -> list[FileRecord]:
        return [e.file for e in self.entries.values() if e.file.status in statuses]

    def files_by_path(self) -> list[FileRecord]:
        """Every file, in path order (kept until files change)."""
        if self._by_path is None:
            self._by_path = sorted(self.files(), key=_path_of)
        return self._by_path

    def tag_counts(self, file_ids: list[int] | None = None, *, after_rules: bool = True) -> Counter:
        ids = list(self.entries) if file_ids is None else file_ids
        if after_rules:
            return Counter(chain.from_iterable(self.verdict(fid).names for fid in ids))
        return Counter(chain.from_iterable(self.entry(fid).lean.names for fid in ids))


def _names_before(e: Entry, moves: list[tuple[str, int]]):
    """A file's base names before this write, for the concept counts (a set where its tags changed too)."""
    if e.built or not moves:  # built before the write, or the write changed nothing it shows
        return e.lean.names
    return (set(e.lean.names) - {t for t, d in moves if d > 0}) | {t for t, d in moves if d < 0}


def _added_in_front(state) -> bool:
    return state is not None and state.front and state.user in ("add", "pin")


def _path_of(f: FileRecord) -> str:
    return f.path


def _core(stats) -> frozenset:
    return stats.core if stats is not None else frozenset()
