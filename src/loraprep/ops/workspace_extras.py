"""The Workspace's selection, vocabulary, journal, dedup, plan and export entry points for CLI and editor."""

from __future__ import annotations

from pathlib import Path


class WorkspaceExtras:
    """Mixed into Workspace: everything beyond holding and editing tags."""

    def view(self, file_id: int):
        """What a selection expression sees of one image (tags after the rules, stored scores)."""
        from loraprep.rules.where import ImageView

        e = self.entry(file_id)
        f = e.file
        verdict = self.verdict(file_id) if f.image_id else None
        if e.view is not None and e.view_of is verdict:
            return e.view
        kept = frozenset(verdict.names) if verdict is not None else frozenset()
        scores = {t: s for t, _c, s in self.scores.get(f.image_id, ())} if f.image_id else {}
        e.view = ImageView(name=f.name, concept=f.concept, tier=f.tier, status=f.status, tags=kept, scores=scores,
                           pinned=e.lean.pinned & kept, small=f.small)
        e.view_of = verdict
        return e.view

    def select(self, where: str | None = None, *, concept: str | None = None, status: str | None = None,
               text: str | None = None) -> list[int]:
        """File ids matching a selection expression and the simple filters, in path order."""
        predicate = None
        if where and where.strip():
            from loraprep.rules.where import parse_where

            predicate = parse_where(where)
        needle = (text or "").lower()
        in_order = self.files_by_path()
        if predicate is None and concept is None and status is None and not needle:
            return [f.id for f in in_order]
        chosen = []
        for f in in_order:
            if concept is not None and f.concept != concept:
                continue
            if status is not None and f.status != status:
                continue
            if needle and needle not in f.path.lower():
                continue
            if predicate is not None and not predicate.test(self.view(f.id)):
                continue
            chosen.append(f.id)
        return chosen

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
        cached = getattr(self, "_model_vocabulary", None)
        if cached is None:
            cached = self._model_vocabulary = _read_model_vocabulary(self)
        return cached

    def history(self, limit: int = 50) -> list:
        from loraprep.store import journal

        return journal.history(self.store, limit=limit)

    def next_steps(self) -> dict:
        """The batches an undo and a redo would act on now (None where there is none)."""
        from loraprep.store import journal

        undo, redo = journal.next_steps(self.store)
        return {"undo": undo, "redo": redo}

    def dedup_groups(self) -> list:
        from loraprep.store.dedup import load_groups

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

    def plan(self, steps: int | None = None, batch: int | None = None, epochs: int | None = None) -> dict:
        from loraprep.ops.plan import make_dataset_plan

        return make_dataset_plan(self.files(statuses=("active",)), self.recipe, steps=steps, batch=batch,
                                 epochs=epochs).to_dict()

    def export(self, out: str | Path, fmt: str | None = None, mode: str = "copy", replace: bool = False) -> dict:
        from loraprep.ops.export import export

        return export(self.root, out, fmt=fmt, mode=mode, replace=replace, workspace=self)


def _read_model_vocabulary(ws) -> dict[str, str]:
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
