"""A stand-in Workspace for the web tests while ops.workspace cannot be imported: same interface, no rules."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, replace

from loraprep.ops.edits import ImageFacts, ops_for
from loraprep.store import journal
from loraprep.store import tags as tag_rows
from loraprep.store.db import open_store
from loraprep.store.files import list_files

LIVE = ("active", "excluded", "failed")


@dataclass(frozen=True)
class Tag:
    name: str
    category: str = "general"
    score: float | None = None
    source: str = "tagger"
    origin: str = "tagger"
    pinned: bool = False


@dataclass(frozen=True)
class Thresholds:
    general: float = 0.35
    character: float = 0.85
    mcut: bool = False


@dataclass
class Entry:
    file: object
    base: list
    removed: frozenset


@dataclass
class Result:
    kept: list
    dropped: list


class StandInWorkspace:
    """Tagger scores past the thresholds plus the journal's adds, minus its removes; a 'no-meta' rule."""

    def __init__(self, dataset):
        self.store = open_store(dataset)
        self.root = self.store.root
        self.thresholds = Thresholds()
        self.reload()

    def reload(self):
        conn = self.store.conn
        self._version = conn.execute("PRAGMA data_version").fetchone()[0]
        models = tag_rows.models_used(conn)
        self.model = models[0] if models else None
        self.scores = tag_rows.load_scores(conn, self.model) if self.model else {}
        self.categories = tag_rows.vocabulary(conn)
        self.states = journal.tag_states(conn)
        self.entries = {f.id: self._entry(f) for f in list_files(self.store, statuses=LIVE)}

    def refresh(self):
        version = self.store.conn.execute("PRAGMA data_version").fetchone()[0]
        if version != self._version:
            self.reload()
            return True
        return False

    def _entry(self, f):
        if not f.image_id:
            return Entry(f, [], frozenset())
        states = self.states.get(f.image_id, {})
        tags, removed = {}, set()
        for name, cat, score in self.scores.get(f.image_id, ()):
            limit = self.thresholds.character if cat == "character" else self.thresholds.general
            if score >= limit:
                tags[name] = Tag(name, cat, score)
        for name, st in states.items():
            if st.imported and name not in tags:
                tags[name] = Tag(name, "general", None, "import", st.import_origin)
            if st.user in ("add", "pin"):
                old = tags.get(name)
                tags[name] = Tag(name, old.category if old else "general", old.score if old else None, "user", "user",
                                 st.user == "pin")
            elif st.user == "remove":
                tags.pop(name, None)
                removed.add(name)
        return Entry(f, list(tags.values()), frozenset(removed))

    def close(self):
        self.store.close()

    def entry(self, fid):
        return self.entries[fid]

    def files(self, statuses=LIVE):
        return [e.file for e in self.entries.values() if e.file.status in statuses]

    def result(self, fid):
        entry = self.entries[fid]
        cached = getattr(entry, "result", None)
        if cached is None:
            kept = [t for t in entry.base if t.category != "meta" or t.pinned]
            cached = entry.result = Result(kept, [(t, "blacklist") for t in entry.base
                                                  if t.category == "meta" and not t.pinned])
        return cached

    def caption(self, fid):
        return ", ".join(t.name for t in self.result(fid).kept)

    def concept_stats(self):
        return {}

    def tag_counts(self, file_ids=None, *, after_rules=True):
        counts = Counter()
        for fid in (self.entries if file_ids is None else file_ids):
            counts.update(t.name for t in (self.result(fid).kept if after_rules else self.entries[fid].base))
        return counts

    def set_thresholds(self, *, general=None, character=None, mcut=None):
        changes = {k: v for k, v in dict(general=general, character=character, mcut=mcut).items() if v is not None}
        self.thresholds = replace(self.thresholds, **changes)
        self.entries = {fid: self._entry(e.file) for fid, e in self.entries.items()}
        return self.thresholds

    def _facts(self, fid):
        e = self.entries[fid]
        return ImageFacts(fid, e.file.image_id, frozenset(t.name for t in e.base),
                          frozenset(t.name for t in e.base if t.pinned), e.file.status, e.file.concept, e.file.tier)

    def preview_edit(self, edit, file_ids, *, examples=5):
        changed, samples = 0, []
        for fid in file_ids:
            t, f = ops_for(edit, self._facts(fid))
            if t or f:
                changed += 1
                if len(samples) < examples:
                    samples.append({"id": fid, "path": self.entries[fid].file.path,
                                    "ops": [f"{o.op} {o.tag}" for o in t] + [f"{o.field}: {o.old} -> {o.new}" for o in f]})
        return {"edit": edit.label, "selected": len(file_ids), "changed": changed, "examples": samples}

    def apply_edit(self, edit, file_ids, *, source="user"):
        self.refresh()
        tag_ops, file_ops = [], []
        for fid in file_ids:
            t, f = ops_for(edit, self._facts(fid))
            tag_ops += t
            file_ops += f
        with self.store.write() as conn:
            batch_id = journal.record_batch(conn, edit.label, source, tag_ops, file_ops)
        self._update({o.image_id for o in tag_ops}, {o.file_id for o in file_ops})
        changed = len({o.image_id for o in tag_ops} | {o.file_id for o in file_ops})
        return {"batch_id": batch_id, "edit": edit.label, "changed": changed}

    def _update(self, image_ids, file_ids):
        """Recompute only the images an own write touched."""
        if image_ids:
            fresh = journal.tag_states(self.store.conn, image_ids)
            for iid in image_ids:
                self.states[iid] = fresh.get(iid, {})
        files = {f.id: f for f in list_files(self.store, statuses=LIVE)} if file_ids else {}
        for fid, e in list(self.entries.items()):
            if e.file.image_id in image_ids or fid in files:
                self.entries[fid] = self._entry(files.get(fid, e.file))
        # No data_version update here: it moves only for other connections' commits, and reading it now
        # would swallow a CLI write that landed between our refresh() and our own write.

    def undo(self):
        b = journal.undo(self.store)
        self.reload()
        return {"batch_id": b.id, "label": b.label, "state": b.state}

    def redo(self):
        b = journal.redo(self.store)
        self.reload()
        return {"batch_id": b.id, "label": b.label, "state": b.state}
