"""The metadata-only export (parquet) of a dataset of any size: files read a page at a time in path order, each
page's captions made and written before the next is read, so memory stays flat however many images there are."""

from __future__ import annotations

from pathlib import Path
from typing import Iterator

from loraprep.ops.concept_core import concept_stats
from loraprep.ops.export_options import export_options, full_disk_said
from loraprep.ops.export_rows import export_metadata_rows
from loraprep.ops.plan import make_dataset_plan, store_plan_inputs
from loraprep.ops.recipe import load_dataset_recipe
from loraprep.ops.status import require_finished_scan
from loraprep.ops.workspace import Workspace
from loraprep.store import pages


def streams(dataset: str | Path) -> bool:
    """Whether the streamed export gives this dataset's export: not with caption fields, whose draws and
    character files read every image's fields at once (ops/caption_fields.py)."""
    return load_dataset_recipe(Path(dataset)).caption.ordering is None


def export_streamed(dataset: str | Path, out: Path, *, fmt: str | None = None, preset: str | None = None,
                    steps: int | None = None, batch: int | None = None, epochs: int | None = None,
                    replace: bool = False, page: int = pages.PAGE) -> dict:
    """``ops.export`` of a metadata-only format (parquet), ``page`` files at a time."""
    from loraprep.export.parquet import export_parquet

    with Workspace(dataset, only=[]) as ws:
        require_finished_scan(ws.store)
        recipe = ws.recipe
        plan = make_dataset_plan((), recipe, steps=steps, batch=batch, epochs=epochs,
                                 inputs=store_plan_inputs(ws.store, recipe))
        concepts = pages.active_concepts(ws.store)
        # Each concept's core tags counted once (or read from the store's cache): every page's rules share them.
        ws.use_stats({c: concept_stats(ws, c, page) for c in concepts})
        options = export_options(recipe, out, ws.root, set(concepts), plan, mode="copy", preset=preset,
                                 replace=replace)
        with full_disk_said(out):
            result = export_parquet(_rows(ws, plan, options, page), out, ws.root,
                                    resolution=options.resolution, replace=replace)
    result["plan"] = plan.to_dict()
    return result


def _rows(ws: Workspace, plan, options, page: int) -> Iterator[dict]:
    for ids in pages.active_ids_by_path(ws.store, page):
        ws.only = ids
        ws.reload()  # this page's rows only: the last page's entries are let go
        files = [ws.entries[i].file for i in ids if i in ws.entries]
        yield from export_metadata_rows(ws, files, plan, options, {})
