"""frames(): extract the distinct, usable frames of video episodes into a concept folder, with their provenance."""

from __future__ import annotations

from pathlib import Path
from typing import Callable

from loraprep.errors import LoraprepError, UsageError, VideoError
from loraprep.store.db import Store, open_store
from loraprep.store.runs import end_run, start_run

SIMILAR_CHOICES = ("default", "strict", "off")

Progress = Callable[[str, float, float], None]   # (episode, seconds done, seconds in all)


def frames(videos: list[str | Path], concept_dir: str | Path, *, every: str | None = None, scenes: bool = False,
           similar: str = "default", min_side: int | None = None, tone_map: bool = False,
           progress: Progress | None = None) -> dict:
    """Extract frames of each video into DATASET/CONCEPT; one episode's failure is reported and the next goes on.

    ``every`` ("0.5s") samples at a fixed step; otherwise (``scenes``, the default) a frame per shot plus samples
    of long shots. ``similar``: default | strict (dedup's thresholds) or off."""
    from loraprep.dedup.threads import blas_beside_busy_cores

    with blas_beside_busy_cores():                 # the decoder's threads keep the cores busy
        return _frames(videos, concept_dir, every=every, scenes=scenes, similar=similar, min_side=min_side,
                       tone_map=tone_map, progress=progress)


def _frames(videos, concept_dir, *, every, scenes, similar, min_side, tone_map, progress) -> dict:
    from loraprep.acquire.video.container import import_av
    from loraprep.acquire.video.extract import FrameSettings, Target, extract_episode
    from loraprep.acquire.video.record import Recorder
    from loraprep.acquire.video.sampling import parse_every

    if every is not None and scenes:
        raise UsageError("--every and --scenes choose the frames in two different ways", "pass one of them")
    step = None
    if every is not None:
        try:
            step = parse_every(every)
        except ValueError:
            raise UsageError(f"--every {every!r} is not a duration", "write it like 0.5s, 2s, 500ms or 1m") from None
    limit = _similar_limit(similar)
    import_av()                     # without PyAV: one error that says how to install it, before any folder is made
    if not videos:
        raise UsageError("no video given", "loraprep frames EPISODE.mkv [...] DATASET/CONCEPT")
    folder, root, concept = _concept(concept_dir)
    store = open_store(root, create=True)
    try:
        recipe_blur = _recipe_blur(root)
        settings = FrameSettings(every=step, blur_max=recipe_blur, min_side=min_side, tone_map=tone_map)
        run_id = start_run(store, "frames", {"every": step, "similar": similar, "min_side": min_side,
                                             "blur": recipe_blur, "videos": [Path(v).name for v in videos]})
        similar_filter, existing_warnings = _existing(store, folder, root, concept, limit)
        target = Target(folder=folder, rel=concept, recorder=Recorder(store), similar=similar_filter)
        episodes, errors = [], []
        outcome = "interrupted"
        try:
            for video in videos:
                path = Path(video)
                try:
                    report = extract_episode(path, settings, target,
                                             (lambda done, total, name=path.name: progress(name, done, total))
                                             if progress else None)
                except (VideoError, OSError) as exc:
                    errors.append({"video": str(path), "error": _message(exc)})
                    continue
                episodes.append(report.as_dict())
            outcome = "ok" if not errors else ("failed" if not episodes else "partial")
        finally:
            written = sum(len(e["written"]) for e in episodes)
            end_run(store, run_id, outcome, {"written": written, "episodes": len(episodes), "failed": len(errors)},
                    [(e["video"], e["error"]) for e in errors])
        return {"dataset": str(root), "concept": concept, "mode": f"every {step:g}s" if step else "scenes",
                "similar": similar, "written": written, "episodes": episodes, "errors": errors,
                "warnings": existing_warnings, "next": f"loraprep scan {root}"}
    finally:
        store.close()


def _similar_limit(similar: str) -> float | None:
    from loraprep.dedup.policy import PRESETS

    wanted = (similar or "default").strip().lower()
    if wanted not in SIMILAR_CHOICES:
        raise UsageError(f"--similar {similar!r} is not one of {', '.join(SIMILAR_CHOICES)}",
                         "default and strict are dedup's thresholds; off keeps every sampled frame")
    return None if wanted == "off" else PRESETS[wanted]


def _concept(concept_dir: str | Path) -> tuple[Path, Path, str]:
    """(concept folder, dataset root, concept name) of DATASET/CONCEPT."""
    folder = Path(concept_dir).expanduser().absolute()
    name = folder.name
    if not name or name.startswith(".") or folder.parent == folder:
        raise UsageError(f"{concept_dir} is not a concept folder", "give DATASET/CONCEPT, e.g. my_lora/screenshots")
    if folder.exists() and not folder.is_dir():
        raise UsageError(f"{concept_dir} is a file, not a concept folder", "give DATASET/CONCEPT")
    root = folder.parent
    if root.exists() and not root.is_dir():
        raise UsageError(f"{root} is a file, not a dataset folder", "give DATASET/CONCEPT")
    try:
        folder.mkdir(parents=True, exist_ok=True)       # a dataset may start with its episodes' frames
    except OSError as exc:
        raise UsageError(f"cannot create {folder}: {exc.strerror}", "check the folder's permissions") from None
    return folder, root, name


def _recipe_blur(root: Path) -> float:
    from loraprep.ops.recipe import load_dataset_recipe

    return load_dataset_recipe(root).frames.blur


def _existing(store: Store, folder: Path, root: Path, concept: str, limit: float | None):
    """The similar-frame filter primed with the concept's images already on disk (openings and endings repeat
    every episode); descriptors from the store where the file is unchanged since `dedup`, else from the file."""
    if limit is None:
        return None, []
    from loraprep.acquire.video.similar import SimilarFilter
    from loraprep.dedup.descriptor import VERSION, Descriptor
    from loraprep.dedup.encode import describe_file
    from loraprep.ingest.walk import walk_dataset
    from loraprep.store import dedup as dedup_rows
    from loraprep.store.files import list_files

    known = {f.path: f for f in list_files(store, concept=concept)}
    blobs = dedup_rows.load_descriptors(store.conn, VERSION)
    similar, warnings = SimilarFilter(limit), []
    for found in walk_dataset(root):
        if found.concept != concept or found.name_error:
            continue
        row = known.get(found.path)
        blob = blobs.get(row.image_id) if row and row.size == found.size and row.mtime_ns == found.mtime_ns else None
        try:
            descriptor = Descriptor.from_bytes(blob) if blob else describe_file(found.abspath)
        except LoraprepError as exc:
            warnings.append(f"{found.path}: not compared ({exc.message})")
            continue
        similar.add(found.path, descriptor)
    return similar, warnings


def _message(exc: BaseException) -> str:
    if isinstance(exc, LoraprepError):
        return exc.message + (f" ({exc.hint})" if exc.hint else "")
    return f"{getattr(exc, 'filename', '') or ''}: {getattr(exc, 'strerror', None) or exc}".strip(": ")


