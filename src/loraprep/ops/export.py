"""export(): write the curated dataset for a trainer: captions from the rules, repeats from the plan."""

from __future__ import annotations

from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from loraprep.export.registry import is_metadata_only
from loraprep.ops.caption_fields import character_files, fields_for
from loraprep.ops.export_rows import export_item
from loraprep.ops.plan import make_dataset_plan
from loraprep.ops.recipe import load_dataset_recipe
from loraprep.ops.status import require_finished_scan
from loraprep.ops.workspace import Workspace


def export(dataset: str | Path, out: str | Path, *, fmt: str | None = None, mode: str = "copy",
           preset: str | None = None, steps: int | None = None, batch: int | None = None,
           epochs: int | None = None, replace: bool = False, workspace: Workspace | None = None) -> dict:
    """Export active images with their final captions into ``out`` (replaced atomically, when it is a loraprep
    export or ``replace`` is given). ``mode`` is "copy" (clones where possible) or "link" (hard links)."""
    if workspace is None and is_metadata_only(fmt or load_dataset_recipe(Path(dataset)).export.format):
        from loraprep.ops.export_stream import export_streamed, streams

        if streams(dataset):  # a million images: read in chunks, never the whole workspace (issue 21)
            return export_streamed(dataset, Path(out), fmt=fmt, preset=preset, steps=steps, batch=batch,
                                   epochs=epochs, replace=replace)
    ws = workspace or Workspace(dataset)
    try:
        return _export(ws, Path(out), fmt, mode, preset, steps, batch, epochs, replace)
    finally:
        if workspace is None:
            ws.close()


def _export(ws: Workspace, out: Path, fmt, mode, preset, steps, batch, epochs, replace) -> dict:
    from loraprep.export import ExportItem, export_dataset

    # A scan killed part-way leaves images and captions out of the store: an export would silently drop them.
    require_finished_scan(ws.store)
    recipe = ws.recipe
    files = ws.files(statuses=("active",))
    plan = make_dataset_plan(files, recipe, steps=steps, batch=batch, epochs=epochs)
    fields = fields_for(ws, files) if recipe.caption.ordering is not None else {}
    options = export_options(recipe, out, ws.root, {f.concept for f in files}, plan, mode=mode, preset=preset,
                             replace=replace, **(_field_extras(ws, recipe, files, fields) if fields else {}))
    with full_disk_said(out):
        if is_metadata_only(fmt or recipe.export.format):
            from loraprep.ops.export_rows import export_metadata

            result = export_metadata(ws, files, plan, options, fields)
        else:
            items = [export_item(ws, f, plan, ExportItem, fields.get(f.id)) for f in files]
            result = export_dataset(items, fmt or recipe.export.format, options).to_dict()
    result["plan"] = plan.to_dict()
    return result


@contextmanager
def full_disk_said(out: Path) -> Iterator[None]:
    """A full disk under ``out`` raised as the error that says so; any other error as it is."""
    from loraprep.errors import disk_full

    try:
        yield
    except OSError as exc:
        # A failed export removes its staging folder, so the previous export in ``out`` is still whole.
        full = disk_full(exc, where=str(out), hint="free some space on that disk, or export to a folder on another "
                                                   "disk; a previous export in that folder is untouched")
        if full is None:
            raise
        raise full from exc


def export_options(recipe, out: Path, root: Path, concepts: set[str], plan, *, mode: str, preset: str | None,
                   replace: bool, **extras):
    """The exporters' options from the recipe, for the active images' ``concepts``."""
    from loraprep.export import ExportOptions

    base = recipe.base
    return ExportOptions(
        out_dir=out, dataset_root=root, mode=mode, resolution=recipe.export.resolution,
        keep_tokens=base.keep_tokens,
        # Per concept, so each kohya subset gets its own (a set's order would pick one at random per run).
        keep_tokens_separator=base.keep_tokens_separator,
        concept_keep_separators={c: recipe.for_concept(c).keep_tokens_separator for c in concepts},
        shuffle_caption=recipe.export.shuffle_caption, trigger_words=base.fixed_tags,
        concept_triggers={c: recipe.for_concept(c).fixed_tags for c in concepts},
        concept_keep_tokens={c: recipe.for_concept(c).effective_keep_tokens for c in concepts},
        epochs=plan.epochs, batch_size=plan.batch_size, train_preset=preset or recipe.export.preset,
        caption_separator=base.rules.separator.strip() or ",",
        ai_toolkit_shuffle=recipe.export.ai_toolkit_shuffle, replace=replace, **extras,
    )


def _field_extras(ws: Workspace, recipe, files, fields) -> dict:
    """The per-concept character files and export.json's record of the caption fields (the draws' seed)."""
    settings = recipe.caption
    verdicts = {f.id: ws.verdict(f.id) for f in files}
    return {"extra_files": character_files(recipe, files, fields, verdicts),
            "report_extra": {"caption_fields": {"ordering": list(settings.ordering), "seed": settings.seed,
                                                "probabilities": dict(settings.field_probs),
                                                "keep_tokens_before": settings.keep_tokens_before}}}

