"""A whole-dataset read for counts (`tags`, `curate --diff`): every active file's tags before rules as flat arrays,
each concept's statistics counted on them, and the rules' verdicts per concept on arrays (rules/packed.py).

The Workspace builds a record, a LeanBase and a Verdict per image, which is what the editor needs and ~150 us
an image; here only the images the journal speaks of get a LeanBase (lean_base, the Workspace's own merge), and
only those the packed steps leave to it get the per-image engine. The answers are the Workspace's.
"""

from __future__ import annotations

from array import array
from collections import Counter
from typing import NamedTuple

import numpy as np

from loraprep.engine.thresholds import recipe_thresholds
from loraprep.model.tags import LeanBase
from loraprep.rules.effective import lean_base, tagger_tags
from loraprep.rules.packed import PackedImages, PackedVerdicts, packable, run_packed
from loraprep.rules.packed_steps import distinct
from loraprep.rules.packed_tables import Vocabulary
from loraprep.rules.pipeline import apply_rules_lean
from loraprep.rules.stats import ConceptStats
from loraprep.store import journal
from loraprep.store import tags as tag_rows
from loraprep.store.bulk_rows import active_files, score_chunks
from loraprep.store.db import Store

EMPTY = LeanBase((), ())


class ConceptVerdicts(NamedTuple):
    """One concept's verdicts: ``files`` (indexes into BulkRead.files, path order) numbers its images;
    ``packed`` holds the packed ones, ``deferred`` the per-image engine's (local index -> Verdict)."""
    files: np.ndarray
    packed: PackedVerdicts
    deferred: dict


class BulkRead:
    """One dataset's active files read for counting: see the module docstring."""

    def __init__(self, store: Store, recipe, *, model: str | None = None, threshold_changes: dict | None = None):
        conn = store.conn
        self.store, self.recipe, self.model_override = store, recipe, model
        used = tag_rows.models_used(conn)
        wanted = model or recipe.tagger.model
        self.model = next((m for m in used if wanted and (m == wanted or m.split("@")[0] == wanted)),
                          used[0] if used else None)
        self.thresholds = recipe_thresholds(recipe, self.model, threshold_changes or {})
        self.files = active_files(conn)
        self.states = journal.tag_states(conn)
        self.categories = tag_rows.vocabulary(conn)
        self.vocab = Vocabulary()
        self._concept_recipes: dict = {}
        self._files_of: dict[str, list[int]] = {}
        for at, concept in enumerate(self.files.concepts):
            self._files_of.setdefault(concept, []).append(at)
        self._read_bases(conn)
        self._stats = {c: self._count(c) for c in self._files_of}

    # ---- tags before rules -----------------------------------------------------------------------------------
    def _read_bases(self, conn) -> None:
        """Per image: its rows (name ids, scores) and, for images with anyone's edits, their LeanBase."""
        from loraprep.engine.bulk_bases import chunk_rows

        index: dict[str, int] = {}
        for image_id in self.files.image_ids:
            if image_id:
                index.setdefault(image_id, len(index))
        self.leans: dict[int, LeanBase] = {}     # image -> LeanBase, where lean_base built one
        self.imported: set[int] = set()          # images whose rows chunk_rows merged with a caption import
        parts: list[tuple] = []                  # (image, name id, score) arrays
        seen = np.zeros(len(index), dtype=bool)
        if self.model:
            names = tag_rows.TagNames(conn)
            t = self.thresholds
            to_name = np.array(self.vocab.ids(names.names), dtype=np.int64)
            shared = np.bincount(to_name[1:], minlength=len(self.vocab))   # ids start at 1
            cuts = np.array(names.cuts(t.general, t.character), dtype=float)
            setting = (not t.mcut and not t.include_rating, self.recipe.tagger.use)
            for chunk in score_chunks(conn, self.model):
                images = np.array([index.get(i, -1) for i in chunk.image_ids], dtype=np.int64)
                found = chunk_rows(chunk, images, self.states, setting, self.vocab, to_name, cuts, shared > 1)
                parts.append(found[:3])
                self.imported.update(found.imported)
                starts = np.concatenate([[0], np.cumsum(chunk.lengths)])
                for at in found.by_hand:
                    a, b = starts[at], starts[at + 1]
                    scores = tag_rows.ScoreSet(array("I", chunk.tag_ids[a:b].tolist()),
                                               array("d", chunk.scores[a:b].tolist()), names)
                    self.leans[int(images[at])] = self._lean(chunk.image_ids[at], scores)
                seen[images[images >= 0]] = True
        for image_id, at in index.items():
            if not seen[at] and image_id in self.states:  # journal tags on an image no tagger scored
                self.leans[at] = self._lean(image_id, ())
        for at, lean in self.leans.items():
            parts.append((np.full(len(lean.names), at, dtype=np.int64), np.array(self.vocab.ids(lean.names),
                          dtype=np.int64), np.array([np.nan if s is None else s for s in lean.scores], dtype=float)))
        image, ids, scores = (np.concatenate([p[i] for p in parts]) if parts else np.zeros(0) for i in range(3))
        image = image.astype(np.int64)
        self.ids, self.scores = ids.astype(np.int64), scores.astype(float)
        # An image's rows are together (one part, one chunk), in their order: each image starts where it first shows.
        self.lengths = np.bincount(image, minlength=len(index))
        self.starts = np.zeros(len(index), dtype=np.int64)
        first = np.flatnonzero(np.concatenate([[True], image[1:] != image[:-1]])) if len(image) else image
        self.starts[image[first]] = first
        self.held = np.zeros(len(index), dtype=bool)
        for at, lean in self.leans.items():
            self.held[at] = not packable(lean)
        self.image_of = np.array([index[i] if i else -1 for i in self.files.image_ids], dtype=np.int64)

    def _lean(self, image_id: str, scores) -> LeanBase:
        """What Workspace.lean_of gives for one image."""
        states = self.states.get(image_id)
        return lean_base(scores, self.thresholds, states or {},
                         tagger_tags(self.recipe.tagger.use, states, scores, self.thresholds))

    def _gather(self, files: np.ndarray) -> PackedImages:
        """The rows of these files' images, file after file."""
        images = self.image_of[files]
        known = images >= 0
        lengths = np.where(known, self.lengths[np.maximum(images, 0)], 0)
        starts = np.where(known, self.starts[np.maximum(images, 0)], 0)
        owner = np.repeat(np.arange(len(files)), lengths)
        offsets = np.concatenate([[0], np.cumsum(lengths)])[:-1]
        at = np.arange(lengths.sum()) - offsets[owner] + starts[owner]
        held = np.where(known, self.held[np.maximum(images, 0)], False)
        return PackedImages(self.vocab, self.ids[at], self.scores[at], lengths, held)

    def lean(self, file: int) -> LeanBase:
        """One file's tags before rules, as the Workspace holds them."""
        image = int(self.image_of[file])
        if image < 0:
            return EMPTY
        found = self.leans.get(image)
        if found is not None:
            return found
        a = self.starts[image]
        b = a + self.lengths[image]
        names = tuple(self.vocab.names[i] for i in self.ids[a:b].tolist())
        scores = tuple(None if s != s else s for s in self.scores[a:b].tolist())  # NaN: no stored score
        if image not in self.imported:
            return LeanBase(names, scores)
        said = self.states[self.files.image_ids[file]]
        imported = {n: s.import_origin for n, s in said.items() if s.imported}
        return LeanBase(names, scores, sources=tuple("import" if n in imported else "tagger" for n in names),
                        origins=tuple(imported.get(n, "tagger") for n in names))

    # ---- statistics and verdicts -------------------------------------------------------------------------------
    def files_of(self, concept: str) -> np.ndarray:
        """The concept's active files (indexes into ``files``), in path order."""
        return np.array(self._files_of.get(concept, ()), dtype=np.int64)

    def _count(self, concept: str) -> ConceptStats:
        """Per tag, on how many of the concept's active images it shows before rules; core tags (RunningStats)."""
        files = self.files_of(concept)
        rows = self._gather(files)
        owner = np.repeat(np.arange(len(files)), rows.lengths)
        pairs, _n = distinct(owner * max(len(self.vocab), 1) + rows.ids)     # a name counts once per image
        ids = pairs % max(len(self.vocab), 1)
        per_id = np.bincount(ids, minlength=len(self.vocab))
        present = np.flatnonzero(per_id)
        names = self.vocab.names
        counts = Counter({names[i]: int(per_id[i]) for i in present.tolist()})
        frequency = self.concept_recipe(concept).rules.core_frequency
        need = frequency * len(files)
        return ConceptStats(len(files), counts, frozenset(t for t, c in counts.items() if c >= need), frequency)

    def concept_stats(self) -> dict:
        return dict(self._stats)

    def running_stats(self):
        from loraprep.engine.workspace import FixedStats

        return FixedStats(self._stats)

    def concept_recipe(self, concept: str):
        found = self._concept_recipes.get(concept)
        if found is None:
            found = self._concept_recipes[concept] = self.recipe.for_concept(concept)
        return found

    def verdicts(self, concept: str) -> ConceptVerdicts:
        """The rules' verdicts on every active file of ``concept`` (packed, the rest per image)."""
        files = self.files_of(concept)
        recipe, stats = self.concept_recipe(concept), self._stats[concept]
        packed = run_packed(self._gather(files), recipe, stats.core, self.categories)
        deferred = {}
        for local in packed.deferred:
            file = int(files[local])
            key = self.files.image_ids[file] or self.files.paths[file]
            deferred[local] = apply_rules_lean(self.lean(file), recipe, stats, seed_key=key, categories=self.categories)
        return ConceptVerdicts(files, packed, deferred)
