"""detect(): run a YOLO detector over the active source images and store every box >= the floor; incremental."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Callable

from loraprep.store import detections as detection_rows
from loraprep.store.db import now, open_store
from loraprep.store.derived import is_derived_path
from loraprep.store.files import list_files
from loraprep.store.runs import end_run, start_run

COMMIT_EVERY = 64


def detect(dataset: str | Path, *, what: str = "person", model: str | None = None, revision: str | None = None,
           batch_size: int | None = None, device: str = "auto", force: bool = False,
           progress: Callable[[int, int], None] | None = None) -> dict:
    """Detect on every active source image not yet seen by this model@revision (all of them with ``force``)."""
    from loraprep.detect.loader import default_model
    from loraprep.detect.pipeline import detect_images
    from loraprep.detect.yolo import load_detector

    store = open_store(dataset)
    try:
        detector = load_detector(model or recipe_detector(store.root, what) or default_model(what), revision,
                                 device=device)
        sources: dict[str, tuple[str, tuple[int, int] | None]] = {}
        for f in list_files(store, statuses=["active"]):
            if f.image_id and not is_derived_path(f.path):
                sources.setdefault(f.image_id, (f.path, (f.width, f.height) if f.width and f.height else None))
        done = set() if force else detection_rows.detected_ids(store.conn, detector.key)
        todo = [(i, store.root / p, size) for i, (p, size) in sources.items() if i not in done]
        with store.write() as conn:
            detection_rows.record_detector(conn, detector.key, detector.labels, detector.score, detector.iou, now())
        run_id = start_run(store, "detect", {"model": detector.key, "what": what, "batch_size": batch_size,
                                             "device": device, "force": force})
        counts = {"detected": 0, "skipped": len(sources) - len(todo), "failed": 0, "boxes": 0, "multi": 0}
        errors: list[tuple[str, str]] = []
        pending: list = []
        outcome = "interrupted"
        start = time.perf_counter()
        try:
            for result in detect_images(detector, todo, batch_size=batch_size):
                if result.error:
                    counts["failed"] += 1
                    errors.append((sources[result.image_id][0], result.error))
                else:
                    pending.append(result)
                    passing = [b for b in result.boxes if b.score >= detector.score]
                    counts["boxes"] += len(passing)
                    counts["multi"] += len(passing) > 1
                if len(pending) >= COMMIT_EVERY:
                    _commit(store, detector.key, pending, counts)
                if progress:
                    progress(counts["detected"] + len(pending) + counts["failed"], len(todo))
            outcome = "ok"
        finally:
            _commit(store, detector.key, pending, counts)
            end_run(store, run_id, outcome, counts, errors)
        elapsed = time.perf_counter() - start
        return {"model": detector.key, "labels": detector.labels, "score_threshold": detector.score,
                "iou_threshold": detector.iou, **counts, "seconds": round(elapsed, 3),
                "images_per_s": round(counts["detected"] / elapsed, 2) if elapsed > 0 and counts["detected"] else None,
                "errors": [{"path": p, "error": e} for p, e in errors]}
    finally:
        store.close()


def recipe_detector(root: Path, what: str) -> str | None:
    """The recipe's [crop] model when it is set for this target (a folder relative to the recipe resolved)."""
    from loraprep.ops.crop import detector_spec
    from loraprep.ops.recipe import load_dataset_recipe

    recipe = load_dataset_recipe(root)
    return detector_spec(recipe, root) if recipe.crop.what == what else None


def _commit(store, model_key: str, pending: list, counts: dict) -> None:
    if not pending:
        return
    at = now()
    with store.write() as conn:
        for result in pending:
            detection_rows.write_detections(conn, result.image_id, model_key, result.boxes, at)
    counts["detected"] += len(pending)
    pending.clear()
