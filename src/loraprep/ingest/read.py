"""Read one found file: content hash plus decode verdict, safe to run in a worker thread."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Callable

from loraprep.errors import ImageError, SourceFileError
from loraprep.ingest.decode import probe_bytes
from loraprep.regular_file import MAX_IMAGE_BYTES, read_regular
from loraprep.model.image import ImageInfo



@dataclass(frozen=True)
class ReadResult:
    path: str
    image_id: str | None      # None when the bytes could not be read at all
    info: ImageInfo | None
    error: str | None         # why the file is failed, else None
    decoded: bool             # False when decoding was skipped because the content was already known
    extra: object = None      # what the caller's on_decoded made of the decode (e.g. a dedup descriptor)


def read_found(found, known_ids: frozenset[str] | set[str],
               on_decoded: Callable[[object, bytes, int | None], object] | None = None) -> ReadResult:
    """read_file of a walked FoundFile; a name that is not UTF-8 is never opened (no store row, report or trainer
    config could hold it)."""
    if found.name_error:
        return ReadResult(found.path, None, None, found.name_error, False)
    return read_file(found.path, found.abspath, known_ids, on_decoded)


def read_file(path: str, abspath: str, known_ids: frozenset[str] | set[str],
              on_decoded: Callable[[object, bytes, int | None], object] | None = None) -> ReadResult:
    """Hash the file; decode it unless its content hash is already in the store (``on_decoded``: see probe_bytes)."""
    try:
        data = read_regular(abspath, MAX_IMAGE_BYTES)
    except SourceFileError as exc:
        return ReadResult(path, None, None, exc.message, False)
    image_id = hashlib.sha256(data).hexdigest()
    if image_id in known_ids:
        return ReadResult(path, image_id, None, None, False)
    try:
        if on_decoded is None:
            return ReadResult(path, image_id, probe_bytes(data, path), None, True)
        info, extra = probe_bytes(data, path, on_decoded)
        return ReadResult(path, image_id, info, None, True, extra)
    except ImageError as exc:
        return ReadResult(path, image_id, None, exc.message, True)
