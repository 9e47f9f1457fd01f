"""Read one found file: content hash plus decode verdict, safe to run in a worker thread."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from loraprep.errors import ImageError
from loraprep.ingest.decode import probe_bytes
from loraprep.model.image import ImageInfo

MAX_FILE_BYTES = 1 << 30  # 1 GiB: no training image is that large; refuse instead of exhausting memory


@dataclass(frozen=True)
class ReadResult:
    path: str
    image_id: str | None      # None when the bytes could not be read at all
    info: ImageInfo | None
    error: str | None         # why the file is failed, else None
    decoded: bool             # False when decoding was skipped because the content was already known


def read_file(path: str, abspath: str, size: int, known_ids: frozenset[str] | set[str]) -> ReadResult:
    """Hash the file; decode it unless its content hash is already in the store."""
    if size > MAX_FILE_BYTES:
        return ReadResult(path, None, None, f"file too large ({size:,} bytes)", False)
    try:
        with open(abspath, "rb") as handle:
            data = handle.read()
    except PermissionError:
        return ReadResult(path, None, None, "unreadable: permission denied", False)
    except OSError as exc:
        return ReadResult(path, None, None, f"unreadable: {exc.strerror or exc}", False)
    image_id = hashlib.sha256(data).hexdigest()
    if image_id in known_ids:
        return ReadResult(path, image_id, None, None, False)
    try:
        return ReadResult(path, image_id, probe_bytes(data, path), None, True)
    except ImageError as exc:
        return ReadResult(path, image_id, None, exc.message, True)
