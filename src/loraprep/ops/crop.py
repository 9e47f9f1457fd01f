"""crop(): cut crops (derived images) out of the detected boxes as the recipe's [crop] says, as one journal batch."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from loraprep.errors import DatasetError, ImageError
from loraprep.ops.recipe import load_dataset_recipe
from loraprep.store import derived as derived_rows
from loraprep.store import detections as detection_rows
from loraprep.store.db import Store, now, open_store
from loraprep.store.files import list_files
from loraprep.store.journal import FileOp, record_batch
from loraprep.store.runs import end_run, start_run

DEFAULT_SCORE = 0.25  # ultralytics' and imgutils' default confidence, for a detector with no model card
NOT_MADE = "crop: not made yet"


def crop(dataset: str | Path, *, what: str | None = None, model: str | None = None, score: float | None = None,
         min_size: int | None = None, dry_run: bool = False) -> dict:
    """Make the crops the stored detections and the recipe's [crop] give; crops made before (or deleted by the
    user) are left as they are. Returns counts, the crops made and the boxes skipped with their reasons."""
    store = open_store(dataset)
    try:
        recipe = load_dataset_recipe(store.root)
        settings = recipe.crop
        if what:
            settings = replace(settings, what=what)
        key = model_key(store, settings.what, model or detector_spec(recipe, store.root))
        threshold = score if score is not None else score_threshold(store, key, settings.score)
        smallest = min_size or settings.min_size or recipe.export.resolution
        return _crop(store, settings, key, threshold, smallest, dry_run)
    finally:
        store.close()


def detector_spec(recipe, root: Path) -> str | None:
    """The recipe's [crop] model; a relative folder is read relative to the recipe, as for the tagger."""
    from loraprep.ops.tag import relative_to_recipe

    return relative_to_recipe(recipe.crop.model, recipe, root) or None


def model_key(store: Store, what: str, spec: str | None) -> str:
    """The stored detection results to crop from: the given detector's, else the newest that found ``what``."""
    if spec:
        from loraprep.detect.loader import resolve

        return resolve(spec).key
    found = detection_rows.detector_models(store.conn, what)
    if not found:
        raise DatasetError(f"no {what} detections in this dataset",
                           f"run `loraprep detect {store.root} --what {what}` first")
    return found[0]


def score_threshold(store: Store, key: str, recipe_score) -> float:
    """The recipe's score, else the one recorded with the detector (its model card's)."""
    if isinstance(recipe_score, float):
        return recipe_score
    return detection_rows.card_score(store.conn, key, DEFAULT_SCORE)


def _crop(store: Store, settings, key: str, threshold: float, smallest: int, dry_run: bool) -> dict:
    from loraprep.crop.plan import plan_crops

    run_id = None if dry_run else start_run(store, "crop", {"model": key, "what": settings.what, "score": threshold,
                                                            "min_size": smallest, "mode": settings.mode})
    found = detection_rows.boxes(store.conn, model=key, label=settings.what, min_score=threshold)
    existing = {d.id for d in derived_rows.derived_rows(store.conn)}
    counts = {"pictures": 0, "made": 0, "existing": 0, "skipped": 0, "failed": 0}
    made, skipped, errors, new = [], [], [], []
    sources = [f for f in list_files(store, statuses=["active"])
               if f.image_id in found and not derived_rows.is_derived_path(f.path)]
    seen = set()
    for f in sources:
        if f.image_id in seen or len(found[f.image_id]) < max(1, settings.min_people):
            continue
        seen.add(f.image_id)
        counts["pictures"] += 1
        for planned in plan_crops([b.box for b in found[f.image_id]], f.width or 0, f.height or 0, settings,
                                  smallest):
            if planned.skipped:
                counts["skipped"] += 1
                skipped.append({"path": f.path, "box": list(planned.box), "why": planned.skipped})
                continue
            item = derived_rows.Derived(derived_rows.derived_id(f.image_id, planned.box), f.image_id, "crop",
                                        settings.what, planned.box, f"detect:{key}")
            if item.id in existing:
                counts["existing"] += 1
                continue
            existing.add(item.id)
            new.append((f, item))
    outcome = "error"
    try:
        batch = None if dry_run else _make(store, new, settings, made, errors, counts)
        outcome = "ok"
    finally:
        if run_id is not None:
            end_run(store, run_id, outcome, counts, errors)
    if dry_run:
        counts["made"] = len(new)
        made = [{"path": f.path, "box": list(item.box), "id": item.id} for f, item in new]
    return {"model": key, "what": settings.what, "score_threshold": threshold, "min_size": smallest,
            "mode": settings.mode, "keep_source": settings.keep_source, "dry_run": dry_run, "batch": batch,
            **counts, "crops": made, "skipped_boxes": skipped,
            "errors": [{"path": p, "error": e} for p, e in errors]}


def _make(store: Store, new: list, settings, made: list, errors: list, counts: dict) -> int | None:
    """Cut the pixels into the cache, then record every crop and the sources' exclusion as one batch."""
    ready = []
    for f, item in new:
        try:
            ready.append((f, item, *cut_into_cache(store, f, item)))
        except (OSError, ValueError, ImageError) as exc:
            counts["failed"] += 1
            errors.append((f.path, f"crop {list(item.box)}: {exc}"))
    if not ready:
        return None
    at = now()
    with store.write() as conn:
        ops = []
        for f, item, path, size in ready:
            ops.append(record_crop(conn, f, item, path, size, at))
            made.append({"path": f.path, "box": list(item.box), "id": item.id, "file": path})
        if not settings.keep_source:
            ops += [FileOp(f.id, "status", "active", "excluded") for f in {f.id: f for f, *_ in ready}.values()]
        batch = record_batch(conn, f"crop {settings.what}: {len(ready)} crops", "rule", file_ops=ops)
    counts["made"] = len(ready)
    return batch


def cut_into_cache(store: Store, source, item) -> tuple[str, int]:
    """Cut a crop's pixels from its source file into the cache: (files-row path, bytes written)."""
    from loraprep.crop.pixels import cut_png

    png, _size = cut_png(store.root / source.path, item.box)
    path = derived_rows.derived_path(item, source.path)
    derived_rows.write_pixels(store, path, png)
    return path, len(png)


def record_crop(conn, source, item, path: str, size: int, at: str) -> FileOp:
    """Record a crop (inside the caller's transaction) not yet made, and the journal operation that makes it."""
    file_id = derived_rows.add_derived(conn, replace(item, at=at), path, concept=source.concept, tier=source.tier,
                                       size=size, status="excluded", reason=NOT_MADE, at=at)
    return FileOp(file_id, "status", "excluded", "active")


def restore_derived(store: Store) -> list[tuple[str, str]]:
    """Cut again the cached pixels of derived images whose cache file is missing (the cache is regenerable);
    returns (path, reason) for those whose source is gone too."""
    from loraprep.crop.pixels import cut_png

    paths = {}
    for f in list_files(store, statuses=["active", "excluded", "failed"]):
        if f.image_id and not derived_rows.is_derived_path(f.path):
            paths.setdefault(f.image_id, f.path)
    problems = []
    cached = derived_rows.derived_files(store.conn)
    for item in derived_rows.derived_rows(store.conn):
        if item.id not in cached or (store.root / cached[item.id][1]).is_file():
            continue
        path, source = cached[item.id][1], paths.get(item.source)
        if source is None:
            problems.append((path, "its source picture is gone: the crop cannot be cut again"))
            continue
        try:
            derived_rows.write_pixels(store, path, cut_png(store.root / source, item.box)[0])
        except (OSError, ValueError, ImageError) as exc:
            problems.append((path, f"cannot cut it again from {source}: {exc}"))
    return problems
