"""classify(): embed images and references with a CCIP model (stored), name each image's character, cluster the rest."""

from __future__ import annotations

import time
from pathlib import Path
from typing import TYPE_CHECKING, Callable

from loraprep.ops.recipe import load_dataset_recipe
from loraprep.store import embeddings as stored
from loraprep.store import journal
from loraprep.store.db import open_store
from loraprep.store.fields import FieldOp, classifier_values, field_values, user_concept_files
from loraprep.store.files import list_files
from loraprep.store.journal import FileOp
from loraprep.store.runs import end_run, start_run

if TYPE_CHECKING:  # numpy is imported where it is used: every CLI command imports ops
    import numpy as np

COMMIT_EVERY = 64


def classify(dataset: str | Path, *, refs: str | Path | None = None, model: str | None = None,
             revision: str | None = None, device: str = "auto", assign_concepts: bool | None = None,
             batch_size: int | None = None, progress: Callable[[int, int], None] | None = None) -> dict:
    """Set each active image's `character` field: the nearest reference character within the model's threshold,
    else a density cluster of the rest (unknown-1, unknown-2, ...). One journal batch; a user's value wins."""
    from loraprep.identity.embedder import load_embedder
    from loraprep.identity.refs import read_refs

    store = open_store(dataset)
    try:
        recipe = load_dataset_recipe(store.root)
        settings = recipe.classify
        base = Path(recipe.path).parent if recipe.path else store.root
        refs_dir = Path(refs) if refs is not None else (base / settings.refs if settings.refs else None)
        spec = model or _relative(settings.model, base)
        embedder = load_embedder(spec, revision, device=device)
        references, errors = read_refs(refs_dir) if refs_dir is not None else ([], [])
        first_path: dict[str, str] = {}
        for f in list_files(store, statuses=["active"]):
            if f.image_id:
                first_path.setdefault(f.image_id, f.path)
        run_id = start_run(store, "classify", {"model": embedder.key, "refs": str(refs_dir or ""), "device": device})
        outcome, counts = "interrupted", {"embedded": 0, "failed": 0}
        start = time.perf_counter()
        try:
            paths = {**{i: store.root / p for i, p in first_path.items()}, **{r.image_id: r.path for r in references}}
            _embed_missing(store, embedder, paths, counts, errors, batch_size, progress)
            counts["seconds_embedding"] = round(time.perf_counter() - start, 3)
            decided = decide(store, embedder, list(first_path), references)
            counts.update(_record(store, embedder.key, decided, assign_concepts if assign_concepts is not None
                                  else settings.assign_concepts))
            outcome = "ok"
        finally:
            end_run(store, run_id, outcome, counts, errors)
        return {"model": embedder.key, "threshold": embedder.card.threshold, "refs": str(refs_dir or ""),
                "characters": sorted({r.character for r in references}), **counts,
                "seconds": round(time.perf_counter() - start, 3),
                "errors": [{"path": p, "error": e} for p, e in errors]}
    finally:
        store.close()


def _relative(name: str | None, base: Path) -> str | None:
    """A recipe's model folder, read relative to the recipe as a user would expect."""
    if name and not Path(name).is_absolute() and (base / name).is_dir():
        return str(base / name)
    return name


def _embed_missing(store, embedder, paths: dict[str, Path], counts: dict, errors: list, batch_size, progress) -> None:
    from loraprep.identity.embedder import embed_files

    done = stored.embedded_ids(store.conn, embedder.key)
    todo = [(i, p) for i, p in paths.items() if i not in done]
    pending: list[tuple[str, np.ndarray]] = []

    def flush() -> None:
        if pending:
            with store.write() as conn:
                counts["embedded"] += stored.write_embeddings(conn, embedder.key, pending)
            pending.clear()

    try:
        for n, (image_id, vector, error) in enumerate(embed_files(embedder, todo, batch_size=batch_size), 1):
            if error is not None:
                counts["failed"] += 1
                errors.append((str(paths[image_id]), error))
            else:
                pending.append((image_id, vector))
            if len(pending) >= COMMIT_EVERY:
                flush()
            if progress:
                progress(n, len(todo))
    finally:
        flush()


def decide(store, embedder, image_ids: list[str], references) -> dict[str, str]:
    """image id -> character ('' for none) from the stored embeddings: references first, then clusters."""
    import numpy as np

    from loraprep.identity.assign import cluster_names, dbscan, nearest_characters

    ids, matrix = stored.load_embeddings(store.conn, embedder.key, image_ids)
    ref_ids, ref_matrix = stored.load_embeddings(store.conn, embedder.key, [r.image_id for r in references])
    by_id = {r.image_id: r.character for r in references}
    ref_names = [by_id[i] for i in ref_ids]
    result = {i: "" for i in image_ids}
    if not ids:
        return result
    differences = embedder.differences(matrix, ref_matrix) if ref_ids else np.zeros((len(ids), 0), np.float32)
    rest = []
    for row, (character, _difference) in enumerate(nearest_characters(differences, ref_names, embedder.card.threshold)):
        if character is None:
            rest.append(row)
        else:
            result[ids[row]] = character
    if rest:
        labels = dbscan(neighbourhoods(embedder, matrix[rest], embedder.card.eps), embedder.card.min_samples)
        user_names = {v.value for v in _characters(store.conn).values() if v.by_user}
        names = cluster_names(labels, set(ref_names) | user_names)
        for row, label in zip(rest, labels):
            if label >= 0:
                result[ids[row]] = names[int(label)]
    return result


def neighbourhoods(embedder, matrix: np.ndarray, eps: float) -> np.ndarray:
    """Boolean (N, N): difference <= eps (the diagonal set)."""
    import numpy as np

    adjacency = embedder.pairwise(matrix, lambda d: d <= eps)
    np.fill_diagonal(adjacency, True)
    return adjacency


def _record(store, model_key: str, decided: dict[str, str], assign_concepts: bool) -> dict:
    """One journal batch with the classifier's changed values (and the concept moves when asked)."""
    with store.write() as conn:
        before = classifier_values(conn)
        origin = f"classify:{model_key}"
        ops = [FieldOp(i, "character", v, origin) for i, v in decided.items() if before.get(i, "") != v]
        current = _characters(conn)
        in_force = {i: v.value for i, v in current.items()}
        for op in ops:
            if op.image_id not in current or not current[op.image_id].by_user:
                in_force[op.image_id] = op.value
        moves = _moves(store, conn, in_force) if assign_concepts else []
        batch = journal.record_batch(conn, f"classify ({model_key})", "rule", file_ops=moves, field_ops=ops)
    assigned = sum(1 for v in decided.values() if v and not v.startswith("unknown-"))
    clusters = len({v for v in decided.values() if v.startswith("unknown-")})
    return {"assigned": assigned, "clustered": sum(1 for v in decided.values() if v.startswith("unknown-")),
            "clusters": clusters, "unsorted": sum(1 for v in decided.values() if not v), "changed": len(ops),
            "moved": len(moves), "batch": batch}


def _characters(conn) -> dict:
    """image id -> the character FieldValue in force."""
    return {i: f["character"] for i, f in field_values(conn, field="character").items()}


def _moves(store, conn, characters: dict[str, str]) -> list[FileOp]:
    """Active files into the concept named after their character; files a person moved stay where they are."""
    kept = user_concept_files(conn)
    moves = []
    for f in list_files(store, statuses=["active"]):
        target = characters.get(f.image_id or "", "")
        if target and target != f.concept and f.id not in kept:
            moves.append(FileOp(f.id, "concept", f.concept, target))
    return moves
