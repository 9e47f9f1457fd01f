"""The character reference folder (guide 002): refs/<character name>/<pictures>, read as (character, id, path)."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

from loraprep.errors import DatasetError, SourceFileError
from loraprep.regular_file import read_regular

PICTURES = frozenset({".jpg", ".jpeg", ".jfif", ".png", ".webp", ".gif", ".bmp", ".tif", ".tiff", ".avif"})


@dataclass(frozen=True)
class Reference:
    character: str
    image_id: str      # sha256 of the bytes, as dataset images are keyed
    path: Path


def read_refs(folder: Path) -> tuple[list[Reference], list[tuple[str, str]]]:
    """(references, (path, error) for files that cannot be read). A character is a sub-folder's name; hidden
    entries and files that are not pictures are skipped."""
    folder = Path(folder)
    if not folder.is_dir():
        raise DatasetError(f"reference folder not found: {folder}",
                           "make one folder per character holding a few pictures of it: refs/<name>/*.png")
    refs, errors = [], []
    for sub in sorted(p for p in folder.iterdir() if p.is_dir() and not p.name.startswith(".")):
        name = " ".join(sub.name.split())
        for path in sorted(p for p in sub.iterdir() if p.suffix.lower() in PICTURES and not p.name.startswith(".")):
            try:
                digest = hashlib.sha256(read_regular(str(path), what="reference picture")).hexdigest()
            except (OSError, SourceFileError) as exc:
                errors.append((str(path), str(exc) or type(exc).__name__))
                continue
            refs.append(Reference(name, digest, path))
    return refs, errors
