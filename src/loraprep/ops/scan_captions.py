"""Import sidecar captions during scan: read outside the write lock, decide inside it, so two scans import once."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from loraprep.errors import SourceFileError
from loraprep.ingest.captions import MAX_CAPTION_BYTES, Caption, parse_caption_bytes
from loraprep.ingest.regular import read_regular
from loraprep.ingest.walk import FoundFile
from loraprep.store import files as file_rows
from loraprep.store import journal
from loraprep.store.db import Store

Encodings = Callable[[str], "str | None"]  # concept -> the recipe's caption_encoding for it


@dataclass(frozen=True)
class _Read:
    found: FoundFile
    image_id: str
    caption: Caption | None
    error: str | None


def import_captions(store: Store, found: list[FoundFile], encodings: Encodings, errors: list, warnings: list) -> dict:
    """Record sidecar caption changes as one import batch: new tags added, tags deleted from the file removed.

    A caption that cannot be read or decoded fails its image (when it was active), so an export never writes the
    image without the caption its owner wrote; the image is active again once the caption reads."""
    stale = _stale(store, found)
    reads = [_read(store.root, f, image_id, encodings) for f, image_id in stale]
    with store.write() as conn:
        # Decided under the write lock: a scan running beside this one may have imported these captions meanwhile.
        recorded = _recorded(conn, [r.found.caption for r in reads])
        fresh = [r for r in reads if not _unchanged(recorded.get(r.found.caption), r.found, r.image_id)]
        good = [r for r in fresh if r.caption is not None]
        ops = _tag_ops(conn, good)
        journal.record_batch(conn, "import captions", "import", ops)
        for r in good:
            file_rows.write_caption_row(conn, r.found.caption, r.image_id, r.found.caption_size,
                                        r.found.caption_mtime_ns, r.caption.encoding, r.caption.tags)
        failed = 0
        for r in fresh:
            if r.error is None:
                continue
            reason = f"{file_rows.CAPTION_REASON}{r.found.caption}: {r.error}"
            if file_rows.fail_for_caption(conn, r.found.path, reason):
                failed += 1
                errors.append((r.found.path, reason))
            else:  # the image is failed or excluded already: its own reason stays, the caption's is a warning
                warnings.append((r.found.caption, r.error))
        failing = {r.found.path for r in reads if r.error is not None}
        restored = file_rows.clear_caption_failures(conn, failing)
    return {"captions_imported": len(good), "caption_failed": failed, "caption_restored": restored}


def _stale(store: Store, found: list[FoundFile]) -> list[tuple[FoundFile, str]]:
    """Images whose caption is new or changed since it was last recorded (or never imported)."""
    rows = {r["path"]: r for r in store.query("SELECT path, image_id, size, mtime_ns FROM captions")}
    file_ids = {r["path"]: r["image_id"] for r in store.query("SELECT path, image_id FROM files WHERE status != 'gone'")}
    stale = []
    for f in found:
        image_id = file_ids.get(f.path)
        if f.caption and image_id and not _unchanged(rows.get(f.caption), f, image_id):
            stale.append((f, image_id))
    return stale


def _unchanged(row, f: FoundFile, image_id: str) -> bool:
    return bool(row) and row["size"] == f.caption_size and row["mtime_ns"] == f.caption_mtime_ns \
        and row["image_id"] == image_id


def _read(root: Path, f: FoundFile, image_id: str, encodings: Encodings) -> _Read:
    try:
        data = read_regular(str(Path(root, f.caption)), MAX_CAPTION_BYTES, what="caption")
        try:
            caption = parse_caption_bytes(data)
        except SourceFileError:
            # The recipe is read only now: a scan of UTF-8 captions never depends on it.
            fallback = encodings(f.concept)
            if not fallback:
                raise
            caption = parse_caption_bytes(data, fallback)
        return _Read(f, image_id, caption, None)
    except SourceFileError as exc:
        return _Read(f, image_id, None, exc.message)


def _recorded(conn, paths: list[str]) -> dict:
    rows = {}
    for start in range(0, len(paths), 500):
        chunk = paths[start:start + 500]
        rows.update((r["path"], r) for r in conn.execute(
            f"SELECT path, image_id, size, mtime_ns FROM captions WHERE path IN ({','.join('?' * len(chunk))})",
            chunk))
    return rows


def _tag_ops(conn, reads: list[_Read]) -> list[journal.TagOp]:
    states = journal.tag_states(conn, {r.image_id for r in reads}, imports_only=True) if reads else {}
    ops: list[journal.TagOp] = []
    for r in reads:
        origin = f"file:{r.found.caption}"
        current = states.get(r.image_id, {})
        before = [t for t, s in current.items() if s.imported and s.import_origin == origin]
        ops += [journal.TagOp(r.image_id, t, "add", origin) for t in r.caption.tags if t not in before]
        ops += [journal.TagOp(r.image_id, t, "remove", origin) for t in before if t not in r.caption.tags]
    return ops
