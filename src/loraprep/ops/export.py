"""export(): write the curated dataset for a trainer: captions from the rules, repeats from the plan."""

from __future__ import annotations

from pathlib import Path

from loraprep.export.registry import is_metadata_only
from loraprep.ops.caption_fields import character_files, fields_for
from loraprep.ops.export_options import export_options, full_disk_said
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


def _field_extras(ws: Workspace, recipe, files, fields) -> dict:
    """The per-concept character files and export.json's record of the caption fields (the draws' seed)."""
    settings = recipe.caption
    verdicts = {f.id: ws.verdict(f.id) for f in files}
    return {"extra_files": character_files(recipe, files, fields, verdicts),
            "report_extra": {"caption_fields": {"ordering": list(settings.ordering), "seed": settings.seed,
                                                "probabilities": dict(settings.field_probs),
                                                "keep_tokens_before": settings.keep_tokens_before}}}

