"""The engine's state: one dataset's files and tags read from the store, the rules on them, and the view of it."""

from __future__ import annotations

from collections import Counter
from functools import partial
from itertools import chain

from loraprep.engine import selection
from loraprep.engine.entry import EMPTY, LIVE, Entry, Row
from loraprep.engine.thresholds import recipe_thresholds, with_changes
from loraprep.engine.versions import Versions
from loraprep.engine.writes import Writes
from loraprep.errors import NotFoundError
from loraprep.model.image import FileRecord
from loraprep.model.tags import LeanBase
from loraprep.model.thresholds import Thresholds
from loraprep.rules.effective import lean_base, shows, tagger_tags
from loraprep.store import journal
from loraprep.store import tags as tag_rows
from loraprep.store.db import Store, data_version
from loraprep.store.files import get_file, list_files


class Workspace:
    """A dataset opened for reading tags and editing them (``writes``); the CLI and the web editor share it.

    What the engine's other modules read of it: ``entries`` (file id -> Entry), ``states`` (the journal's word per
    image and tag), ``showing`` (per tag asked for, the images that show it), ``files_of_image``,
    ``shared_images`` (images with several files), ``running`` (the concepts' tag counts once built, else None).
    """

    def __init__(self, store: Store, recipe, *, model: str | None = None, only: list[int] | None = None,
                 stats=None):
        self.store = store
        # ``only``: the file ids to read (a one-image caption reads its rows, not the dataset's); the concepts'
        # statistics then come from ``stats`` (concept -> ConceptStats), counted elsewhere.
        self.only = only
        self._fixed_stats = stats
        self.root = store.root
        self.model_override = model
        self.recipe = recipe
        self._concept_recipes: dict = {}
        self._threshold_changes: dict = {}  # set_thresholds' changes: they outlive a reload
        self.loads = 0  # how many times the store was read afresh (the editor compares it with what it showed)
        self.writer = "cli"  # recorded with each batch; the editor sets "web"
        self.versions = Versions()
        self.writes = Writes(self)
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
        if self.only is None:
            files, image_ids = list_files(self.store, statuses=LIVE), None
        else:
            files = [f for f in map(partial(get_file, self.store), self.only) if f is not None and f.status in LIVE]
            image_ids = {f.image_id for f in files if f.image_id}
        self.scores = tag_rows.load_scores(conn, self.model, image_ids) if self.model else {}
        self.thresholds = recipe_thresholds(self.recipe, self.model, self._threshold_changes)
        self.states = journal.tag_states(conn, image_ids)
        self.categories = tag_rows.vocabulary(conn, None if image_ids is None else
                                              {t for per_image in self.states.values() for t in per_image})
        self._tagger: dict[str, LeanBase] = {}
        self.showing: dict[str, set[str]] = {}
        self.entries: dict[int, Entry] = {}
        self.files_of_image: dict[str, list[int]] = {}
        self.files_moved()
        for f in files:
            # Built now, not on first read: every command reads them all, and the editor opens its page
            # after this, not during it.
            self.entries[f.id] = Entry(f, self.lean_of(f) if f.image_id else EMPTY, self.lean_of)
            if f.image_id:
                self.files_of_image.setdefault(f.image_id, []).append(f.id)
        self.shared_images = {i for i, files in self.files_of_image.items() if len(files) > 1}
        self.running = None
        self._people = None
        self.versions.mark(None)

    def refresh(self) -> bool:
        """Reload when another connection committed since we last looked; True when it did."""
        version = data_version(self.store.conn)
        if version != self._data_version:
            self.reload()
            return True
        return False

    def people_fields(self) -> dict:
        """image id -> npeople and crop_info (store/derived.py), at the detector's own threshold; read once per load."""
        if self._people is None:
            from loraprep.store.derived import people_fields

            self._people = people_fields(self.store.conn)
        return self._people

    def files_moved(self) -> None:
        """Forget what is kept per file record (path order, concepts per image): a write changed records."""
        self._concepts_of_image: tuple[dict, dict] | None = None
        self._by_path: list[FileRecord] | None = None

    def new_entry(self, f: FileRecord, lean: LeanBase | None = None) -> Entry:
        return Entry(f, lean if lean is not None or f.image_id else EMPTY, self.lean_of)

    def lean_of(self, f: FileRecord) -> LeanBase:
        """One file's tags before rules, from the scores, thresholds and journal states in memory now."""
        return lean_base(self.scores.get(f.image_id, ()), self.thresholds, self.states.get(f.image_id, {}),
                         self.tagger_of(f.image_id))

    def tagger_of(self, image_id: str) -> LeanBase:
        """The tagger's passing tags of one image, or none where the recipe's [tagger] use says so: "never",
        or "if-empty" and the image came with tags (a caption file or a site's, imported)."""
        tagger = self._tagger.get(image_id)
        if tagger is None:
            tagger = self._tagger[image_id] = tagger_tags(self.recipe.tagger.use, self.states.get(image_id),
                                                          self.scores.get(image_id, ()), self.thresholds)
        return tagger

    def has_tag(self, image_id: str, tag: str) -> bool:
        """Whether an image shows ``tag`` before rules, from the journal states (no base rebuilt)."""
        per_image = self.states.get(image_id)
        return shows(per_image.get(tag) if per_image else None, tag in self.tagger_of(image_id).name_set)

    def pinned(self, image_id: str, tag: str) -> bool:
        state = self.states.get(image_id, {}).get(tag)
        return state is not None and state.user == "pin"

    def images_showing(self, tag: str) -> set[str]:
        """Every image that shows ``tag`` before rules. Kept per tag once asked for, and moved by each write's
        differences: a second batch edit of a tag decides without a pass over every image."""
        found = self.showing.get(tag)
        if found is None:
            if len(self.showing) >= 64:  # a bound on memory: each set may name every image
                self.showing.clear()
            has = self.has_tag
            found = self.showing[tag] = {i for i in self.scores.keys() | self.states.keys() if has(i, tag)}
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
    def use_stats(self, stats: dict) -> None:
        """The concepts' statistics (concept -> ConceptStats or None) from the caller, a cache or a count made a page
        at a time, in place of a count of the images this workspace holds (it may hold one image or one page)."""
        self._fixed_stats = stats
        self.running = None

    def concept_stats(self) -> dict:
        """Tag frequencies and core tags per concept, over active images, before rules."""
        running = self.running_stats()
        return {c: running.get(c) for c in running.concepts()}

    def running_stats(self):
        from loraprep.rules.running_stats import RunningStats

        if self.running is None and self._fixed_stats is not None:
            self.running = FixedStats(self._fixed_stats)
        if self.running is None:
            self.running = RunningStats(lambda c: self.concept_recipe(c).rules.core_frequency)
            by_concept: dict[str, list] = {}
            for e in self.entries.values():
                if e.file.status == "active":
                    by_concept.setdefault(e.file.concept, []).append(e.lean.names)
            for concept, name_lists in by_concept.items():
                self.running.add_many(concept, name_lists)
        return self.running

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
                                   self.running_stats().get(concept), user_removed=e.removed,
                                   seed_key=e.file.image_id or e.file.path, categories=self.categories)
        return e.result

    def verdict(self, file_id: int):
        """The rules' verdict from names alone: the same answer as ``result`` without evidence, for bulk reads."""
        from loraprep.rules.pipeline import apply_rules_lean

        e = self.entry(file_id)
        if e.verdict is None:
            concept = e.file.concept
            e.verdict = apply_rules_lean(e.lean, self.concept_recipe(concept), self.running_stats().get(concept),
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

    def set_thresholds(self, *, general: float | None = None, character: float | None = None,
                       mcut: bool | None = None, include_rating: bool | None = None) -> Thresholds:
        """Change thresholds in memory: every image's tags follow at once from the stored scores."""
        changes = {k: v for k, v in dict(general=general, character=character, mcut=mcut,
                                          include_rating=include_rating).items() if v is not None}
        self._threshold_changes.update(changes)
        self.thresholds = with_changes(self.thresholds, changes)
        self._tagger, self.showing = {}, {}
        for fid, e in list(self.entries.items()):
            self.entries[fid] = self.new_entry(e.file)
        self.running = None
        self.versions.mark(None)
        return self.thresholds

    # ---- edits (engine/writes.py) and selection (engine/selection.py) ---------------------------------------
    def plan_edit(self, edit, file_ids: list[int]):
        return self.writes.plan(edit, file_ids)

    def preview_edit(self, edit, file_ids: list[int], *, examples: int = 5) -> dict:
        return self.writes.preview(edit, file_ids, examples=examples)

    def apply_edit(self, edit, file_ids: list[int], *, source: str = "user") -> dict:
        return self.writes.apply(edit, file_ids, source=source)

    def view(self, file_id: int):
        return selection.view(self, file_id)

    def select(self, where: str | None = None, *, concept: str | None = None, status: str | None = None,
               text: str | None = None) -> list[int]:
        return selection.select(self, where, concept=concept, status=status, text=text)

    # ---- the view: rows by id and what changed since a version ----------------------------------------------
    @property
    def version(self) -> int:
        return self.versions.now

    def changed_since(self, version: int) -> set[int] | None:
        """The files whose rows may differ from what they were at ``version``; None when any may (the store was
        read afresh, the thresholds changed, or ``version`` is older than what is remembered)."""
        return self.versions.changed_since(version)

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

    def source(self, file_id: int) -> dict | None:
        """Where a file came from (a booru post: site, post id, URL, score, rating, md5), or None: only while
        the file holds the bytes that were downloaded."""
        from loraprep.store.sources import source_of

        f = self.file(file_id)
        found = source_of(self.store, f.path)
        if found is None or found.sha256 != f.image_id:
            return None
        keep = ("site", "post_id", "url", "score", "rating", "md5", "width", "height")
        return {"kind": found.kind, "origin": found.origin, **{k: found.data.get(k) for k in keep if k in found.data}}

    def base_names(self, file_id: int) -> tuple:
        """One file's tag names before the rules."""
        return self.entry(file_id).lean.names

    def removed(self, file_id: int) -> frozenset:
        """The tags the user removed from one file."""
        return self.entry(file_id).removed

    # ---- reading -------------------------------------------------------------------------------------------
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

    def concept_counts(self, image_ids: list[str]) -> Counter:
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


class FixedStats:
    """Concept statistics counted elsewhere (a narrowed workspace does not see the concept's other images)."""

    def __init__(self, stats: dict):
        self._stats = stats

    def get(self, concept: str):
        return self._stats.get(concept)

    def concepts(self) -> list[str]:
        return list(self._stats)


def _path_of(f: FileRecord) -> str:
    return f.path
