"""The editor's one Workspace behind a lock, and its answers shaped as JSON-ready dicts for the routes."""

from __future__ import annotations

import threading
from pathlib import Path

from loraprep.web import shapes
from loraprep.web.errors import ApiError
from loraprep.web.thumbnails import ThumbnailWorker

STATUSES = ("active", "excluded", "failed")
PATCH_LIMIT = 500  # edits of up to this many images answer with their fresh gallery rows


class Editor:
    """Everything the routes need; every call holds the lock, so the Workspace sees one request at a time."""

    def __init__(self, dataset: str | Path, *, workspace=None, thumbnails: bool = True):
        if workspace is None:
            from loraprep.ops.workspace import Workspace

            workspace = Workspace(dataset)
        self.ws = workspace
        self.root = Path(self.ws.store.root).resolve()
        self.lock = threading.RLock()
        self.version = 1  # bumped on every change the page should pick up
        self.thumbs = ThumbnailWorker(self.ws.store.state_dir / "thumbnails")
        self._thumbnails = thumbnails
        self._gallery_cache: tuple[int, dict] | None = None

    # ---- lifecycle -----------------------------------------------------------------------------------------
    def start(self) -> None:
        """Queue every missing thumbnail in the background worker."""
        if not self._thumbnails:
            return
        with self.lock:
            records = [f for f in self.ws.files() if f.image_id and f.status != "failed"]
        items = []
        for f in records:
            if not self.thumbs.path_for(f.image_id).exists():
                try:
                    items.append((f.image_id, contained(self.root, f)))
                except ApiError:
                    continue
        self.thumbs.prefill(items)
        self.thumbs.start()

    def close(self) -> None:
        self.thumbs.stop()
        with self.lock:
            self.ws.close()

    def sync(self) -> int:
        """Pick up writes another process (a CLI command) committed; the page polls this."""
        with self.lock:
            if self.ws.refresh():
                self._changed()
            return self.version

    def _changed(self) -> None:
        self.version += 1
        self._gallery_cache = None

    # ---- reading -------------------------------------------------------------------------------------------
    def session(self) -> dict:
        with self.lock:
            self.sync()
            files = self.ws.files()
            return {
                "ok": True, "dataset": self.root.name, "root": str(self.root), "version": self.version,
                "model": self.ws.model, "images": len(files),
                "thresholds": shapes.thresholds(self.ws.thresholds),
                "concepts": sorted({f.concept for f in files}), "tiers": sorted({f.tier for f in files}),
                "statuses": list(STATUSES), "features": shapes.features(self.ws),
            }

    def gallery(self) -> dict:
        with self.lock:
            self.sync()
            if self._gallery_cache and self._gallery_cache[0] == self.version:
                return self._gallery_cache[1]
            data = shapes.gallery(self.ws, self._duplicate_ids())
            data["version"] = self.version
            self._gallery_cache = (self.version, data)
            return data

    def _duplicate_ids(self) -> set[int]:
        return {m["file_id"] for g in self._groups() for m in g["members"] if not m["keeper"]}

    def image(self, file_id: int) -> dict:
        with self.lock:
            self.sync()
            return shapes.image_detail(self.ws, self._file(file_id))

    def _file(self, file_id: int):
        entry = self.ws.entries.get(file_id)
        if entry is None:
            raise ApiError(404, f"no image with id {file_id}", "ids come from the gallery listing")
        return entry.file

    def source_path(self, file_id: int) -> tuple[Path, str]:
        """The file on disk for an id of the store, and its format: never a client-given path."""
        with self.lock:
            self.sync()
            record = self._file(file_id)
        return contained(self.root, record), record.format or ""

    def thumbnail_path(self, file_id: int) -> Path:
        with self.lock:
            self.sync()
            record = self._file(file_id)
        if not record.image_id or record.status == "failed":
            raise ApiError(404, f"image {file_id} could not be decoded, so it has no thumbnail")
        source = contained(self.root, record)
        made = self.thumbs.get(record.image_id, source)
        if made is None:
            raise ApiError(404, f"no thumbnail for image {file_id}: it cannot be read")
        return made

    def select(self, where: str | None = None, concept: str | None = None, status: str | None = None,
               text: str | None = None) -> list[int]:
        with self.lock:
            self.sync()
            return shapes.select(self.ws, where, concept, status, text)

    def tag_counts(self, file_ids: list[int] | None) -> list[dict]:
        with self.lock:
            self.sync()
            return shapes.tag_counts(self.ws, self._known(file_ids))

    def _known(self, file_ids: list[int] | None) -> list[int]:
        if file_ids is None:
            return list(self.ws.entries)
        unknown = [i for i in file_ids if i not in self.ws.entries]
        if unknown:
            raise ApiError(404, f"no image with id {unknown[0]}" + (f" (and {len(unknown) - 1} more)" if len(unknown) > 1 else ""))
        return list(file_ids)

    def vocabulary(self, prefix: str, limit: int) -> list[dict]:
        with self.lock:
            return shapes.vocabulary(self.ws, prefix, limit)

    def history(self, limit: int) -> list[dict]:
        with self.lock:
            self.sync()
            return shapes.history(self.ws, limit)

    def curation(self, file_ids: list[int] | None) -> dict:
        with self.lock:
            self.sync()
            return shapes.curation(self.ws, self._known(file_ids))

    # ---- writing -------------------------------------------------------------------------------------------
    def targets(self, ids: list[int] | None, query: dict | None) -> list[int]:
        if ids is not None:
            return self._known(ids)
        if query is not None:
            return self.select(**query)
        raise ApiError(422, "say which images: 'ids' (the selection) or 'filter' (the current filter)")

    def preview_edit(self, edit: dict, ids: list[int] | None, query: dict | None) -> dict:
        with self.lock:
            self.sync()
            return {"ok": True, **self.ws.preview_edit(shapes.edit_op(edit), self.targets(ids, query))}

    def apply_edit(self, edit: dict, ids: list[int] | None, query: dict | None) -> dict:
        with self.lock:
            self.sync()
            targets = self.targets(ids, query)
            result = self.ws.apply_edit(shapes.edit_op(edit), targets)
            answer = {"ok": True, **result}
            if result.get("batch_id") is not None:
                self._changed()
                if len(targets) <= PATCH_LIMIT:
                    # A few images changed: their new gallery rows let the page repaint without a full reload.
                    duplicates = self._duplicate_ids()
                    answer["rows"] = shapes.columns([shapes.gallery_row(self.ws, self.ws.entry(i).file, duplicates)
                                                     for i in targets if i in self.ws.entries])
            return {**answer, "version": self.version}

    def step(self, direction: str) -> dict:
        with self.lock:
            result = getattr(self.ws, direction)()
            self._changed()
            return {"ok": True, **result, "version": self.version}

    def set_thresholds(self, **values) -> dict:
        with self.lock:
            thresholds = self.ws.set_thresholds(**{k: v for k, v in values.items() if v is not None})
            self._changed()
            return {"ok": True, "thresholds": shapes.thresholds(thresholds), "version": self.version}

    # ---- duplicates, plan, export --------------------------------------------------------------------------
    def _groups(self) -> list[dict]:
        return shapes.dedup_groups(self.ws)

    def dedup(self) -> dict:
        with self.lock:
            self.sync()
            return {"ok": True, "groups": self._groups()}

    def dedup_decide(self, action: str, subject) -> dict:
        with self.lock:
            result = getattr(self.ws, f"dedup_{action}")(subject)  # action is 'keep' or 'split', set by the route
            self._changed()
            return {"ok": True, "result": shapes.plain(result), "version": self.version}

    def run_op(self, name: str, **kwargs) -> dict:
        with self.lock:
            self.sync()
            result = getattr(self.ws, name)(**{k: v for k, v in kwargs.items() if v is not None})  # 'plan' | 'export'
            return {"ok": True, "result": shapes.plain(result)}


def contained(root: Path, record) -> Path:
    """The file scan recorded for ``record``, or a refusal: never a path a client chose, never a swapped file.

    Inside the dataset, any file of the store is served. A symlink that leads outside is served only while it
    still leads to the very file scan ingested through it (same size and mtime): a link the user made, not one
    swapped in afterwards to reach other files.
    """
    candidate = Path(record.path)
    if candidate.is_absolute() or ".." in candidate.parts:
        raise ApiError(403, "refused: path outside the dataset")
    resolved = (root / candidate).resolve()
    if not resolved.is_file():
        raise ApiError(404, f"file no longer on disk: {record.path}", "run `loraprep scan` to bring the store up to date")
    if not resolved.is_relative_to(root):
        st = resolved.stat()
        if (st.st_size, st.st_mtime_ns) != (record.size, record.mtime_ns):
            raise ApiError(403, "refused: the file points outside the dataset",
                           "run `loraprep scan` if you moved the link on purpose")
    return resolved
