"""scan(): ingest a dataset folder into its state store, incrementally, with a health report."""

from __future__ import annotations

import itertools
from pathlib import Path
from typing import Callable

from loraprep.compute import LOCAL, EngineChoice, engine_choice
from loraprep.compute.engine import read_results
from loraprep.ingest.read import ReadResult
from loraprep.ingest.walk import FoundFile, walk_dataset
from loraprep.ops.scan_captions import import_captions
from loraprep.ops.scan_sources import import_source_tags
from loraprep.ops.recipe import RECIPE_NAME, load_dataset_recipe
from loraprep.ops.status import health_report
from loraprep.store import files as file_rows
from loraprep.store.db import Store, now, open_store
from loraprep.store.runs import end_run, start_run

COMMIT_EVERY = 128  # Ctrl-C loses at most this many files' work

Progress = Callable[[int, int], None]  # (done, total)


def scan(dataset: str | Path, *, min_size: int | None = None, progress: Progress | None = None,
         engine: str | EngineChoice = "local", address: str | None = None) -> dict:
    """Walk, hash, decode and record every image; returns the health report plus what changed.

    ``min_size`` None flags images smaller than the training resolution (the recipe's [export] resolution).
    ``engine`` ray hashes and decodes on a Ray cluster whose workers see the dataset folder at the same path; the
    walk and every store write stay here.
    """
    engine = engine_choice(engine, address)
    store = open_store(dataset, create=True)
    try:
        recipe_warning = None
        if min_size is None:
            min_size, recipe_warning = _training_resolution(store.root)
        report = _scan(store, min_size, progress, engine)
        from loraprep.ops.crop import restore_derived

        for path, why in restore_derived(store):  # crops' cached pixels are regenerable: a deleted cache comes back
            report["warnings"].append({"path": path, "warning": why})
        if recipe_warning:
            report["warnings"].append({"path": RECIPE_NAME, "warning": recipe_warning})
        return report
    finally:
        store.close()


def _training_resolution(root: Path) -> tuple[int, str | None]:
    """The recipe's [export] resolution; a broken recipe must not stop a scan, so it falls back with a warning."""
    from loraprep.errors import RecipeError
    from loraprep.model.recipe import ExportSettings

    try:
        return load_dataset_recipe(root).export.resolution, None
    except RecipeError as exc:
        default = ExportSettings().resolution
        return default, f"small images flagged below {default} px: the recipe could not be read ({exc})"


def _scan(store: Store, min_size: int, progress: Progress | None, engine: EngineChoice = LOCAL) -> dict:
    run_id = start_run(store, "scan", {"min_size": min_size, "engine": engine.name})
    found = list(walk_dataset(store.root))
    existing = file_rows.scan_rows(store)
    found_paths = {f.path for f in found}
    vanished = {p: r for p, r in existing.items() if p not in found_paths and r["status"] != "gone"}
    by_content = {r["image_id"]: r["id"] for r in vanished.values() if r["image_id"]}
    stale = [f for f in found if _changed(f, existing.get(f.path))]
    # A name that is not UTF-8 is never opened, so it does not count as read (the report's "already known").
    counts = {"found": len(found), "read": sum(1 for f in stale if not f.name_error), "new": 0, "changed": 0,
              "renamed": 0, "decoded": 0, "failed": 0, "captions_imported": 0, "caption_failed": 0,
              "caption_restored": 0, "gone": 0}
    warnings: list[tuple[str, str]] = []
    errors: list[tuple[str, str]] = []
    outcome = "interrupted"
    try:
        known = file_rows.known_images(store)
        stale_by_path = {f.path: f for f in stale}
        done = 0
        results = read_results(engine, stale, known, _dedup_descriptor)
        while chunk := list(itertools.islice(results, COMMIT_EVERY)):
            _commit_chunk(store, chunk, stale_by_path, existing, by_content, counts, errors)
            done += len(chunk)
            if progress:
                progress(done, len(stale))
        counts.update(import_captions(store, found, _recipe_encodings(store), errors, warnings))
        counts.update(import_source_tags(store, found))
        with store.write() as conn:
            # A renamed file's row already moved to its new path, so only truly missing paths match here.
            counts["gone"] = file_rows.mark_gone(conn, vanished.keys(), now())
            file_rows.update_small_flags(conn, min_size)
        outcome = "ok"
    except Exception:
        outcome = "error"  # Ctrl-C (KeyboardInterrupt) stays "interrupted"
        raise
    finally:
        end_run(store, run_id, outcome, counts, errors + warnings)
    report = health_report(store, min_size=min_size)
    report["scan"] = counts
    report["warnings"] = [{"path": p, "warning": w} for p, w in warnings]
    return report


def _changed(found: FoundFile, row) -> bool:
    return row is None or row["status"] == "gone" or row["size"] != found.size or row["mtime_ns"] != found.mtime_ns


def _commit_chunk(store: Store, chunk: list[ReadResult], stale_by_path: dict[str, FoundFile], existing: dict,
                  by_content: dict[str, int], counts: dict, errors: list) -> None:
    from loraprep.dedup.descriptor import VERSION
    from loraprep.store import dedup as dedup_rows

    at = now()
    described = [(r.image_id, r.extra) for r in chunk if r.image_id and r.error is None and r.extra is not None]
    with store.write() as conn:
        dedup_rows.save_descriptors(conn, VERSION, described)
        for result in chunk:
            found = stale_by_path[result.path]
            if result.image_id and result.decoded:
                file_rows.upsert_image(conn, result.image_id, result.info, result.error)
                counts["decoded"] += 1
            error = result.error
            if error is None and result.image_id and not result.decoded:
                error = file_rows.image_error(conn, result.image_id)
            status = "failed" if error else "active"
            state = file_rows.FileState(result.path, result.image_id, found.concept, found.tier, found.size,
                                        found.mtime_ns, status, error or "", found.caption)
            previous = existing.get(result.path)
            reuse = by_content.pop(result.image_id, None) if previous is None and result.image_id else None
            file_rows.write_file(conn, state, at, reuse_id=reuse)
            if reuse is not None:
                counts["renamed"] += 1
            elif previous is None or previous["status"] == "gone":
                counts["new"] += 1
            elif previous["image_id"] != result.image_id:
                counts["changed"] += 1
            if error:
                counts["failed"] += 1
                errors.append((result.path, error))


def _dedup_descriptor(img, data: bytes, orientation) -> bytes:
    """dedup's descriptor from scan's own decode: `loraprep dedup` then decodes only what scan did not describe
    (measured: benchmarks/dedup_command.py)."""
    from loraprep.dedup.encode import describe_loaded

    return describe_loaded(img, data, orientation).to_bytes()


def _recipe_encodings(store: Store):
    """concept -> the recipe's caption_encoding; the recipe is loaded on the first caption that needs it."""
    recipe = []

    def encoding_for(concept: str) -> str | None:
        if not recipe:
            from loraprep.ops.recipe import load_dataset_recipe

            recipe.append(load_dataset_recipe(store.root))
        return recipe[0].for_concept(concept).caption_encoding

    return encoding_for
