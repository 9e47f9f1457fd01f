"""The metadata-only export (parquet): one row per active image, made as it is written, never all at once."""

from __future__ import annotations

from typing import Iterator


def export_metadata(ws, files, plan, options) -> dict:
    """Stream ``files`` (active, any order) in path order into the parquet export; the export's report."""
    from loraprep.export.parquet import export_parquet

    ordered = sorted(files, key=lambda f: f.path)
    return export_parquet(_rows(ws, ordered, plan, options), options.out_dir, ws.root,
                          resolution=options.resolution, replace=options.replace)


def _rows(ws, files, plan, options) -> Iterator[dict]:
    from loraprep.export.base import ExportItem
    from loraprep.export.kept import item_tags
    from loraprep.ops.export import _item

    for f in files:
        item = _item(ws, f, plan, ExportItem)
        tags, fell_back = item_tags(item, options)  # an empty caption falls back to the trigger words, or stops
        caption = item.caption.strip()
        if fell_back or not caption:  # SimpleTuner refuses an empty caption (factory.py check_column_values)
            caption = tags.joined(options.caption_separator)
        yield {"file_name": f.path, "image_path": str(ws.root / f.path), "caption": caption,
               "tags": list(tags.tags), "concept": f.concept, "tier": f.tier, "repeats": item.repeats,
               "width": f.width, "height": f.height, "image_id": f.image_id}
