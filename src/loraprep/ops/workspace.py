"""Workspace: one dataset's tags held in memory for the CLI and the editor, updated incrementally on edits."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, replace
from itertools import chain
from pathlib import Path

from loraprep.errors import DatasetError
from loraprep.model.image import FileRecord
from loraprep.ops.edits import EditOp, ImageFacts, ops_for
from loraprep.ops.recipe import load_dataset_recipe
from loraprep.ops.workspace_extras import WorkspaceExtras
from loraprep.rules.context import core_change_matters
from loraprep.rules.effective import LeanBase, Thresholds, lean_base, lean_tagger
from loraprep.store import journal
from loraprep.store import tags as tag_rows
from loraprep.store.db import open_store
from loraprep.store.files import list_files

LIVE = ("active", "excluded", "failed")


EMPTY = LeanBase((), ())


@dataclass
class Entry:
    """One file with its tags before rules (lean) and, once computed, the rules' verdict on them."""

    file: FileRecord
    lean: LeanBase
    tags: list | None = None     # the base as Tag objects, built when evidence is asked for
    result: object = None        # full RuleResult (evidence), built on demand
    verdict: object = None       # LeanResult: kept names, dropped names; what bulk reads use
    view: object = None          # the selection view, valid while ``view_of is verdict``
    view_of: object = None

    @property
    def removed(self) -> frozenset:
        return self.lean.removed

    def forget_rules(self) -> None:
        self.result = self.verdict = None


class Workspace(WorkspaceExtras):
    """A dataset opened for reading tags and editing them; the CLI and the web editor share this code."""

    def __init__(self, dataset: str | Path, *, recipe_path: Path | None = None, model: str | None = None):
        self.store = open_store(dataset)
        self.root = self.store.root
        self.recipe_path = recipe_path
        self.model_override = model
        self.recipe = load_dataset_recipe(self.root, recipe_path)
        self._concept_recipes: dict = {}
        tagger = self.recipe.tagger
        self.thresholds = Thresholds(general=tagger.general, character=tagger.character, mcut=tagger.mcut,
                                     include_rating=tagger.include_rating)
        self.reload()

    # ---- loading -------------------------------------------------------------------------------------------
    def reload(self) -> None:
        """Read everything from the store (used at start and when another process wrote)."""
        conn = self.store.conn
        self._data_version = conn.execute("PRAGMA data_version").fetchone()[0]
        used = tag_rows.models_used(conn)
        wanted = self.model_override or self.recipe.tagger.model
        self.model = next((m for m in used if wanted and (m == wanted or m.split("@")[0] == wanted)),
                          used[0] if used else None)
        self.scores = tag_rows.load_scores(conn, self.model) if self.model else {}
        self.states = journal.tag_states(conn)
        self.categories = tag_rows.vocabulary(conn)
        self._tagger: dict[str, tuple] = {}
        self.entries: dict[int, Entry] = {}
        for f in list_files(self.store, statuses=LIVE):
            self.entries[f.id] = self._entry(f)
        self._stats = None
        self.stale: set[int] | None = None  # None: everything may have changed (a reload)

    def refresh(self) -> bool:
        """Reload when another connection committed since we last looked; True when it did."""
        version = self.store.conn.execute("PRAGMA data_version").fetchone()[0]
        if version != self._data_version:
            self.reload()
            return True
        return False

    def _entry(self, f: FileRecord) -> Entry:
        if not f.image_id:
            return Entry(f, EMPTY)
        scores = self.scores.get(f.image_id, ())
        tagger = self._tagger.get(f.image_id)
        if tagger is None:
            tagger = self._tagger[f.image_id] = lean_tagger(scores, self.thresholds)
        return Entry(f, lean_base(scores, self.thresholds, self.states.get(f.image_id, {}), tagger))

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
            for e in self.entries.values():
                self._account(e, 1)
        return self._stats

    def _account(self, e: Entry, sign: int) -> None:
        if e.file.status == "active" and self._stats is not None:
            self._stats.add(e.file.concept, e.lean.names, sign)

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
                                   seed_key=e.file.image_id or e.file.path)
        return e.result

    def verdict(self, file_id: int):
        """The rules' verdict as names (a LeanResult): the same answer as ``result``, for bulk reads."""
        from loraprep.rules.fast import fast_rules, lean_of

        e = self.entry(file_id)
        if e.verdict is None:
            concept = e.file.concept
            e.verdict = fast_rules(e.lean, self.concept_recipe(concept), self._running_stats().get(concept),
                                   seed_key=e.file.image_id or e.file.path)
            if e.verdict is None:
                e.verdict = lean_of(self.result(file_id), e.lean.names)
        return e.verdict

    def caption(self, file_id: int) -> str:
        from loraprep.rules.pipeline import render_caption

        e = self.entry(file_id)
        return render_caption(self.verdict(file_id), self.concept_recipe(e.file.concept))

    def entry(self, file_id: int) -> Entry:
        try:
            return self.entries[file_id]
        except KeyError:
            raise DatasetError(f"no image with id {file_id}", hint="ids come from `loraprep tags --json` or the editor") from None

    # ---- thresholds ----------------------------------------------------------------------------------------
    def set_thresholds(self, *, general: float | None = None, character: float | None = None,
                       mcut: bool | None = None, include_rating: bool | None = None) -> Thresholds:
        """Change thresholds in memory: every image's tags follow at once from the stored scores."""
        changes = {k: v for k, v in dict(general=general, character=character, mcut=mcut,
                                          include_rating=include_rating).items() if v is not None}
        self.thresholds = replace(self.thresholds, **changes)
        self.stale = None
        self._tagger = {}
        for fid, e in list(self.entries.items()):
            self.entries[fid] = self._entry(e.file)
        self._stats = None
        return self.thresholds

    # ---- edits ---------------------------------------------------------------------------------------------
    def facts(self, file_id: int, edit: EditOp | None = None) -> ImageFacts:
        e = self.entry(file_id)
        present = frozenset(e.lean.names)
        if (edit is not None and edit.kind in ("remove", "replace", "consolidate") and e.file.image_id
                and not present.issuperset(edit.tags)):
            # A tag a rule put there (trigger, fixed slot, alias target) is shown like any other, so the user
            # can remove it too: the rules honour a user remove.
            present |= set(self.verdict(file_id).names)
        return ImageFacts(file_id, e.file.image_id, present, e.lean.pinned, e.file.status, e.file.concept,
                          e.file.tier)

    def preview_edit(self, edit: EditOp, file_ids: list[int], *, examples: int = 5) -> dict:
        """Dry run: how many images change, and a few before/after examples; writes nothing."""
        changed, samples = 0, []
        for fid in file_ids:
            tag_ops, file_ops = ops_for(edit, self.facts(fid, edit))
            if tag_ops or file_ops:
                changed += 1
                if len(samples) < examples:
                    samples.append({"id": fid, "path": self.entry(fid).file.path,
                                    "ops": [f"{o.op} {o.tag}" for o in tag_ops] +
                                           [f"{o.field}: {o.old} -> {o.new}" for o in file_ops]})
        return {"edit": edit.label, "selected": len(file_ids), "changed": changed, "examples": samples}

    def apply_edit(self, edit: EditOp, file_ids: list[int], *, source: str = "user") -> dict:
        """Apply an edit as one undoable batch."""
        self.refresh()
        all_tag_ops, all_file_ops = [], []
        changed = 0
        for fid in file_ids:
            tag_ops, file_ops = ops_for(edit, self.facts(fid, edit))
            all_tag_ops += tag_ops
            all_file_ops += file_ops
            changed += bool(tag_ops or file_ops)  # files, as the dry run counts them
        # Two files with identical bytes share an image id: record each tag operation once.
        all_tag_ops = list(dict.fromkeys(all_tag_ops))
        with self.store.write() as conn:
            batch_id = journal.record_batch(conn, edit.label, source, all_tag_ops, all_file_ops)
        for o in all_tag_ops:  # the same replay the store does, without reading the journal back
            per_image = self.states.setdefault(o.image_id, {})
            per_image[o.tag] = journal.replay(per_image.get(o.tag), o.op, source, o.origin)
        self._after_write({o.image_id for o in all_tag_ops}, {o.file_id for o in all_file_ops}, states_known=True)
        return {"batch_id": batch_id, "edit": edit.label, "changed": changed,
                "tag_ops": len(all_tag_ops), "file_ops": len(all_file_ops)}

    def undo(self) -> dict:
        return self._step(journal.undo)

    def redo(self) -> dict:
        return self._step(journal.redo)

    def _step(self, fn) -> dict:
        self.refresh()
        batch = fn(self.store)
        rows = self.store.query("SELECT DISTINCT image_id FROM tag_ops WHERE batch_id=?", (batch.id,))
        files = self.store.query("SELECT DISTINCT file_id FROM file_ops WHERE batch_id=?", (batch.id,))
        self._after_write({r[0] for r in rows}, {r[0] for r in files})
        return {"batch_id": batch.id, "label": batch.label, "state": batch.state}

    def _after_write(self, image_ids: set[str], file_ids: set[int], *, states_known: bool = False) -> None:
        """Bring the in-memory view up to date with our own write, touching only what changed.

        ``self.stale`` becomes the ids of the files whose verdict may have changed: the written ones, and every
        image of a concept whose core traits moved (the editor repaints just those).
        """
        conn = self.store.conn
        if image_ids and not states_known:
            fresh = journal.tag_states(conn, image_ids)
            for iid in image_ids:
                self.states[iid] = fresh.get(iid, {})
        changed_files = {f.id: f for f in list_files(self.store, statuses=LIVE) if f.id in file_ids} if file_ids else {}
        stats = self._stats
        before = {c: stats.get(c) for c in stats.concepts()} if stats is not None else {}
        touched: set[str] = set()
        changed: set[int] = set()
        for fid, e in list(self.entries.items()):
            if e.file.image_id in image_ids or fid in changed_files:
                changed.add(fid)
                fresh = self._entry(changed_files.get(fid, e.file))
                if (stats is not None and e.file.status == fresh.file.status == "active"
                        and e.file.concept == fresh.file.concept):
                    stats.change(e.file.concept, e.lean.names, fresh.lean.names)
                else:
                    self._account(e, -1)
                    self._account(fresh, 1)
                touched.update((e.file.concept, fresh.file.concept))
                self.entries[fid] = fresh
        # Core tags are per concept: where an edit moved them, the rules' verdict may change for every image there.
        if stats is not None:
            moved = {c for c in touched if core_change_matters(_core(before.get(c)), _core(stats.get(c)))}
            if moved:
                for fid, e in self.entries.items():
                    if e.file.concept in moved:
                        e.forget_rules()
                        changed.add(fid)
        self.stale = changed

    # ---- reading -------------------------------------------------------------------------------------------
    def files(self, statuses=LIVE) -> list[FileRecord]:
        return [e.file for e in self.entries.values() if e.file.status in statuses]

    def tag_counts(self, file_ids: list[int] | None = None, *, after_rules: bool = True) -> Counter:
        ids = list(self.entries) if file_ids is None else file_ids
        if after_rules:
            return Counter(chain.from_iterable(self.verdict(fid).names for fid in ids))
        return Counter(chain.from_iterable(self.entry(fid).lean.names for fid in ids))


def _core(stats) -> frozenset:
    return stats.core if stats is not None else frozenset()
