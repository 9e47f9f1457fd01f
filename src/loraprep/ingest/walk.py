"""Walk a dataset folder: image files with their concept and tier, skipping state, hidden files and symlink loops."""

from __future__ import annotations

import os
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

from loraprep.ingest.kohya_folders import place
from loraprep.ingest.names import escaped, name_problem
from loraprep.store.db import STATE_DIR, state_dir

IMAGE_EXTENSIONS = frozenset({".jpg", ".jpeg", ".jfif", ".png", ".webp", ".gif", ".bmp", ".tif", ".tiff", ".avif"})
CAPTION_EXTENSIONS = (".txt", ".caption")


@dataclass(frozen=True)
class FoundFile:
    """An image file found on disk, before it is read."""

    path: str            # relative to the root, '/' separated, as the OS spells it
    abspath: str
    concept: str         # first folder level, '' for files in the root
    tier: str            # second folder level when present (concept/tier/file), else ''
    size: int
    mtime_ns: int
    caption: str | None  # relative path of the sidecar caption, if any
    caption_size: int = 0
    caption_mtime_ns: int = 0
    name_error: str | None = None  # set when the path is not valid UTF-8: ``path`` is then shown escaped


def walk_dataset(root: Path) -> Iterator[FoundFile]:
    """Yield image files under ``root`` in a stable order; follows symlinked folders once, never in a loop."""
    seen_dirs: set[tuple[int, int]] = set()
    state = state_dir(root)
    try:  # a --state-dir inside the dataset holds thumbnails and reports: never images of the dataset
        st = state.stat()
        seen_dirs.add((st.st_dev, st.st_ino))
    except OSError:
        pass
    yield from _walk(root, root, seen_dirs, _first_level(root))


def _first_level(root: Path) -> tuple[str, ...]:
    """The dataset's concept folders, as named on disk (kohya_folders.place compares them)."""
    try:
        return tuple(unicodedata.normalize("NFC", e.name) for e in os.scandir(root)
                     if not e.name.startswith(".") and e.is_dir())
    except OSError:
        return ()


def _walk(root: Path, folder: Path, seen_dirs: set[tuple[int, int]], siblings: tuple[str, ...]) -> Iterator[FoundFile]:
    try:
        st = folder.stat()
    except OSError:
        return
    key = (st.st_dev, st.st_ino)
    if key in seen_dirs:
        return
    seen_dirs.add(key)
    try:
        entries = sorted(os.scandir(folder), key=lambda e: e.name)
    except OSError:
        return
    names = {e.name for e in entries}
    for entry in entries:
        if entry.name.startswith(".") or entry.name == STATE_DIR:
            continue
        try:
            is_dir = entry.is_dir()
        except OSError:
            continue
        if is_dir:
            yield from _walk(root, Path(entry.path), seen_dirs, siblings)
            continue
        stem, ext = os.path.splitext(entry.name)
        if ext.lower() not in IMAGE_EXTENSIONS:
            continue
        try:
            est = entry.stat()
        except OSError:
            continue
        rel = Path(entry.path).relative_to(root).as_posix()
        shown = escaped(rel)
        parts = (shown or rel).split("/")
        concept = parts[0] if len(parts) > 1 else ""
        tier = parts[1] if len(parts) > 2 else ""
        concept, tier = unicodedata.normalize("NFC", concept), unicodedata.normalize("NFC", tier)
        if concept:
            placed = place(concept, tier, siblings)
            concept, tier = placed.concept, placed.tier
        if shown is not None:  # one failed file, never a failed scan; its caption shares the name, so none
            yield FoundFile(shown, entry.path, concept, tier, est.st_size, est.st_mtime_ns, None,
                            name_error=name_problem(rel))
            continue
        caption, csize, cmtime = _sidecar(folder, stem, names, root)
        yield FoundFile(rel, entry.path, concept, tier, est.st_size, est.st_mtime_ns, caption, csize, cmtime)


def _sidecar(folder: Path, stem: str, names: set[str], root: Path) -> tuple[str | None, int, int]:
    for ext in CAPTION_EXTENSIONS:
        name = stem + ext
        if name in names:
            path = folder / name
            try:
                st = path.stat()
            except OSError:
                continue
            return path.relative_to(root).as_posix(), st.st_size, st.st_mtime_ns
    return None, 0, 0
