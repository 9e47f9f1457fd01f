"""tag(): run a WD tagger over active images and store every score >= 0.05; resumable, incremental."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Callable

from loraprep.compute import EngineChoice, engine_choice
from loraprep.locations import join
from loraprep.ops.recipe import load_dataset_recipe
from loraprep.store import tags as tag_rows
from loraprep.store.db import open_store
from loraprep.store.files import list_files
from loraprep.store.runs import end_run, start_run

COMMIT_EVERY = 64


def tag(dataset: str | Path, *, model: str | None = None, revision: str | None = None,
        batch_size: int | None = None, device: str = "auto", force: bool = False,
        progress: Callable[[int, int], None] | None = None, engine: str | EngineChoice = "local",
        address: str | None = None, gpus_per_worker: float = 0, images: str | None = None) -> dict:
    """Tag every active image not yet tagged by this model@revision (all of them with ``force``).

    ``engine``: where decoding and inference run (compute/: local, or ray at ``address`` with ``gpus_per_worker``);
    ``images``: a folder or fsspec URL to read the images from instead of the dataset folder, under the same
    relative paths (for workers that cannot see the driver's disk). The store is written here either way."""
    from loraprep.compute.engine import tag_results
    from loraprep.tagging.pipeline import load_tagger
    from loraprep.tagging.registry import DEFAULT_MODEL

    engine = engine_choice(engine, address, gpus_per_worker)
    store = open_store(dataset)
    try:
        recipe = load_dataset_recipe(store.root)
        if recipe.tagger.use == "never":  # no model loaded (nor downloaded) for scores no caption would show
            count = len({f.image_id for f in list_files(store, statuses=["active"]) if f.image_id})
            return {"model": None, "use": "never", "tagged": 0, "skipped": 0, "failed": 0,
                    "not_tagged_by_recipe": count, "seconds": 0.0, "images_per_s": None, "errors": []}
        spec = model or recipe_model(recipe, store.root) or DEFAULT_MODEL
        # on Ray the driver only reads the model's graph and vocabulary: its workers run the sessions on `device`
        tagger = load_tagger(spec, revision=revision, device="cpu" if engine.distributed else device)
        files = list_files(store, statuses=["active"])
        first_path: dict[str, str] = {}
        for f in files:
            if f.image_id:
                first_path.setdefault(f.image_id, f.path)
        done_ids = set() if force else tag_rows.tagged_ids(store.conn, tagger.key)
        held_back = _held_back(store, recipe.tagger.use, set(first_path))
        root = images or store.root
        todo = [(image_id, join(root, path)) for image_id, path in first_path.items()
                if image_id not in done_ids and image_id not in held_back]
        run_id = start_run(store, "tag", {"model": tagger.key, "batch_size": batch_size, "device": device,
                                          "force": force, "engine": engine.name})
        counts = {"tagged": 0, "skipped": len(first_path) - len(todo) - len(held_back), "failed": 0,
                  "not_tagged_by_recipe": len(held_back)}
        errors: list[tuple[str, str]] = []
        outcome = "interrupted"
        start = time.perf_counter()
        pending = []
        try:
            for result in tag_results(engine, tagger, todo, batch_size=batch_size, device=device):
                if result.error:
                    counts["failed"] += 1
                    errors.append((first_path[result.image_id], result.error))
                else:
                    pending.append(result)
                if len(pending) >= COMMIT_EVERY:
                    _commit(store, tagger.key, pending, counts)
                if progress:
                    progress(counts["tagged"] + len(pending) + counts["failed"], len(todo))
            _commit(store, tagger.key, pending, counts)
            outcome = "ok"
        finally:
            _commit(store, tagger.key, pending, counts)
            end_run(store, run_id, outcome, counts, errors)
        elapsed = time.perf_counter() - start
        return {"model": tagger.key, "use": recipe.tagger.use, **counts, "seconds": round(elapsed, 3),
                "images_per_s": round(counts["tagged"] / elapsed, 2) if elapsed > 0 else None,
                "errors": [{"path": p, "error": e} for p, e in errors]}
    finally:
        store.close()


def _held_back(store, use: str, image_ids: set[str]) -> set[str]:
    """Images the recipe's [tagger] use keeps the tagger from: all for "never", those that came with imported
    tags (a caption file, a site's) for "if-empty"; their scores would never show, so they are not computed."""
    from loraprep.rules.effective import tagger_silenced
    from loraprep.store import journal

    if use == "always":
        return set()
    states = journal.tag_states(store.conn, image_ids, imports_only=True) if use == "if-empty" else {}
    return {i for i in image_ids if tagger_silenced(use, states.get(i))}


def _commit(store, model_key: str, pending: list, counts: dict) -> None:
    if not pending:
        return
    with store.write() as conn:
        names = tag_rows.TagNames(conn)
        for result in pending:
            tag_rows.write_scores(conn, result.image_id, model_key, result.scores, names)
    counts["tagged"] += len(pending)
    pending.clear()


def recipe_model(recipe, root: Path) -> str | None:
    """The recipe's tagger; a relative folder is read relative to the recipe, as a user would expect."""
    return relative_to_recipe(recipe.tagger.model, recipe, root)


def relative_to_recipe(name: str | None, recipe, root: Path) -> str | None:
    """A model named in the recipe: a folder relative to the recipe when there is one, else the name as is."""
    if name and not Path(name).is_absolute():
        candidate = Path(recipe.path or root / "loraprep.toml").parent / name
        if candidate.is_dir():
            return str(candidate)
    return name
