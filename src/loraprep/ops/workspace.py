"""Workspace for the CLI and the editor: the engine (loraprep.engine) on a dataset's store and recipe, with undo
and redo through ops/history.py, autocomplete, the journal and the dedup decisions."""

from __future__ import annotations

from pathlib import Path

from loraprep.engine.workspace import Workspace as Engine
from loraprep.ops.history import step_store
from loraprep.ops.recipe import load_dataset_recipe
from loraprep.store import journal
from loraprep.store.db import open_store
from loraprep.store.dedup import load_groups


class Workspace(Engine):
    """A dataset opened for reading tags and editing them; the CLI and the web editor share this code."""

    def __init__(self, dataset: str | Path, *, recipe_path: Path | None = None, model: str | None = None,
                 only: list[int] | None = None, stats=None):
        store = open_store(dataset)
        self.recipe_path = recipe_path
        self._model_vocabulary: dict[str, str] | None = None
        super().__init__(store, load_dataset_recipe(store.root, recipe_path), model=model, only=only, stats=stats)

    def caption(self, file_id: int, fields: dict | None = None) -> str:
        """The caption as exported: with a [caption] table, the fields in their order (``fields``: the file's,
        when the caller has them already)."""
        if self.recipe.caption.ordering is None:
            return super().caption(file_id)
        from loraprep.ops.caption_fields import fields_for

        record = self.entry(file_id).file
        fields = fields if fields is not None else fields_for(self, [record])[file_id]
        return self.field_caption(record, fields)[2]

    def field_caption(self, record, fields: dict) -> tuple[tuple[str, ...], int, str]:
        """One file's caption composed with its fields: (elements, kept count, the caption text)."""
        from loraprep.ops.caption_fields import composed
        from loraprep.rules.draft import Verdict
        from loraprep.rules.pipeline import render_caption

        names, keep = composed(self, record, fields)
        return names, keep, render_caption(Verdict(names, (), keep), self.concept_recipe(record.concept))

    # ---- undo and redo: the store steps through ops/history.py, the engine follows -------------------------
    def undo(self, expected: int | None = None) -> dict:
        """Undo the newest batch; with ``expected``, only if that is still the newest (else ConflictError)."""
        return self._step("undo", expected)

    def redo(self, expected: int | None = None) -> dict:
        return self._step("redo", expected)

    def _step(self, name: str, expected: int | None) -> dict:
        self.refresh()
        return self.writes.stepped(step_store(self.store, name, expected))

    def history(self, limit: int = 50) -> list:
        return journal.history(self.store, limit=limit)

    def next_steps(self) -> dict:
        """The batches an undo and a redo would act on now (None where there is none)."""
        undo, redo = journal.next_steps(self.store)
        return {"undo": undo, "redo": redo}

    # ---- autocomplete ----------------------------------------------------------------------------------------
    def vocabulary(self, prefix: str = "", limit: int = 20) -> list[dict]:
        """Autocomplete: the dataset's tags ranked by count, then every other tag the store knows (all tagger
        scores >= 0.05 and journal tags) and the tagger model's whole vocabulary, then tags containing the
        prefix."""
        from loraprep.model.tagname import display_name

        wanted = display_name(prefix) if prefix.strip() else ""
        counts = self.tag_counts(None, after_rules=False)
        known = {**self.model_vocabulary(), **self.categories}
        starts = sorted((t for t in counts if t.startswith(wanted)), key=lambda t: (-counts[t], t))
        vocab = sorted(t for t in known if t.startswith(wanted) and t not in counts)
        inside = sorted(t for t in set(counts) | set(known) if wanted and wanted in t and not t.startswith(wanted))
        return [{"tag": t, "count": counts.get(t, 0), "category": known.get(t, "general")}
                for t in (starts + vocab + inside)[:limit]]

    def model_vocabulary(self) -> dict[str, str]:
        """Every tag the tagger can emit (its selected_tags.csv, when on this machine), name -> category."""
        if self._model_vocabulary is None:
            self._model_vocabulary = _read_model_vocabulary(self)
        return self._model_vocabulary

    # ---- duplicates ------------------------------------------------------------------------------------------
    def dedup_groups(self) -> list:
        return load_groups(self.store.conn)

    def dedup_keep(self, file_id) -> dict:
        from loraprep.ops import dedup_ops

        result = dedup_ops.keep(self.root, str(file_id))
        self.reload()
        return result

    def dedup_split(self, group_id: str) -> dict:
        from loraprep.ops import dedup_ops

        result = dedup_ops.split(self.root, group_id)
        self.reload()
        return result


def _read_model_vocabulary(ws: Workspace) -> dict[str, str]:
    from loraprep.errors import ModelError
    from loraprep.ops.tag import recipe_model
    from loraprep.tagging.loader import cached_tags_file, read_tags

    spec = ws.model_override or recipe_model(ws.recipe, ws.root) or (ws.model or "").split("@")[0]
    if not spec:
        return {}
    path = cached_tags_file(spec)
    if path is None:
        return {}
    try:
        return {name: category for name, category in read_tags(path) if name and category != "rating"}
    except ModelError:  # a damaged file: autocomplete offers the dataset's own tags only
        return {}
