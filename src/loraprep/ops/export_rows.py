"""One active image as an export takes it (ExportItem), and the metadata-only export (parquet) of such rows, made
as they are written, never all at once."""

from __future__ import annotations

from typing import TYPE_CHECKING, Iterator

if TYPE_CHECKING:
    from loraprep.ops.workspace import Workspace


def export_metadata(ws, files, plan, options, fields: dict | None = None) -> dict:
    """Stream ``files`` (active, any order) in path order into the parquet export; the export's report."""
    from loraprep.export.parquet import export_parquet

    ordered = sorted(files, key=lambda f: f.path)
    return export_parquet(export_metadata_rows(ws, ordered, plan, options, fields or {}), options.out_dir, ws.root,
                          resolution=options.resolution, replace=options.replace)


def export_metadata_rows(ws, files, plan, options, fields: dict) -> Iterator[dict]:
    """The parquet rows of ``files`` in the given order, made one at a time."""
    from loraprep.export.base import ExportItem
    from loraprep.export.kept import item_tags

    for f in files:
        item = export_item(ws, f, plan, ExportItem, fields.get(f.id))
        tags, fell_back = item_tags(item, options)  # an empty caption falls back to the trigger words, or stops
        caption = item.caption.strip()
        if fell_back or not caption:  # SimpleTuner refuses an empty caption (factory.py check_column_values)
            caption = tags.joined(options.caption_separator)
        yield {"file_name": f.path, "image_path": str(ws.root / f.path), "caption": caption,
               "tags": list(tags.tags), "concept": f.concept, "tier": f.tier, "repeats": item.repeats,
               "width": f.width, "height": f.height, "image_id": f.image_id}


def export_item(ws: Workspace, f, plan, item_type, fields: dict | None = None):
    """One active image as the exporter takes it: the rules' tags in caption order and how many lead the caption
    (the verdict's keep_tokens, per image: a fixed tag the user removed is not counted); with the recipe's caption
    fields, the caption composed from them."""
    from loraprep.model.tagname import escape_a1111

    concept = ws.concept_recipe(f.concept)
    if fields is not None:  # composed once: the seeded draws give the tags and the caption together
        names, keep, caption = ws.field_caption(f, fields)
    else:
        verdict = ws.verdict(f.id)
        names, keep, caption = verdict.names, min(verdict.keep_tokens, len(verdict.names)), ws.caption(f.id)
    if concept.rules.style == "a1111":
        names = tuple(escape_a1111(n) for n in names)
    return item_type(image_id=f.image_id, source=ws.root / f.path, concept=f.concept, tier=f.tier,
                     caption=caption, repeats=plan.repeats_for(f.concept, f.tier), fmt=f.format or "",
                     mode=f.mode or "", has_alpha=f.has_alpha, exif_rotated=f.exif_rotated, animated=f.animated,
                     width=f.width, height=f.height, tags=names, keep=keep)
