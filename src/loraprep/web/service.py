"""The editor's one Workspace behind a lock, and its answers shaped as JSON-ready dicts for the routes."""

from __future__ import annotations

import threading
import time
from pathlib import Path

from loraprep.limits import check_id_count
from loraprep.web import shapes
from loraprep.web.errors import ApiError
from loraprep.ops.thumbnails import ThumbnailWorker
from loraprep.web.yielding_lock import YieldingLock

STATUSES = ("active", "excluded", "failed")
PATCH_ALL = 250  # an edit of up to this many images answers with all their fresh gallery rows (~25 ms of rules)
CATCH_UP_STEP = 0.02  # seconds of background work between looks for a waiting request
CATCH_UP_AFTER = 0.15  # the page paints an edit's answer first: background work starts this long after it


class Editor:
    """Everything the routes need; every call holds the lock, so the Workspace sees one request at a time."""

    def __init__(self, dataset: str | Path, *, workspace=None, thumbnails: bool = True):
        if workspace is None:
            from loraprep.ops.workspace import Workspace

            workspace = Workspace(dataset)
        self.ws = workspace
        self.ws.writer = "web"  # the journal records who wrote each batch: an undo shows it before acting
        self.root = Path(self.ws.store.root).resolve()
        self.lock = YieldingLock()
        self.version = 1  # bumped on every change the page should pick up
        self.thumbs = ThumbnailWorker(self.ws.store.state_dir / "thumbnails")
        self._thumbnails = thumbnails
        self._gallery_cache: tuple[int, bytes] | None = None
        self._rows: dict[int, tuple] = {}     # file id -> (row version, duplicate?, row): rebuilt when those change
        self._duplicates: set[int] | None = None
        self._behind: set[int] = set()        # files a large edit left stale, computed in idle time
        self._wake = threading.Event()
        self._catcher: threading.Thread | None = None
        self._closing = False
        self._loads_shown = self.ws.loads    # the store reading the page's whole table came from
        self._written_at = self.ws.version   # the workspace's version before the newest write (see _patch)

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

    def warm(self) -> None:
        """Compute the gallery (every image's verdict) before the page asks for it, then start the thumbnails
        (after: the first paint does not share two cores with 10,000 thumbnails being made)."""
        def run():
            import gc

            self.gallery_json()
            # The dataset's objects live as long as the server: keep the garbage collector from walking them
            # again and again (a full collection over 10,000 images' tags paused answers by ~100 ms).
            gc.collect()
            gc.freeze()
            if not self._closing:
                self.start()

        threading.Thread(target=run, name="loraprep-warm", daemon=True).start()

    def close(self) -> None:
        self._closing = True
        self._wake.set()
        self.thumbs.stop()
        with self.lock:
            self.ws.close()

    def sync(self) -> int:
        """Pick up writes another process (a CLI command) committed; the page polls this."""
        self.thumbs.hold_off()  # every answer starts here: background thumbnails wait while the user works
        with self.lock:
            if self.ws.refresh():
                self._changed(reloaded=True)
            return self.version

    def _changed(self, *, reloaded: bool = False) -> None:
        self.version += 1
        self._gallery_cache = None
        if reloaded:
            self._duplicates = None

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

    def gallery_json(self) -> bytes:
        """The gallery as encoded JSON, kept per version: a reload that nothing changed costs no encoding."""
        import json

        with self.lock:
            self.sync()
            if self._gallery_cache and self._gallery_cache[0] == self.version:
                return self._gallery_cache[1]
            rows = self._gallery_rows([f.id for f in self.ws.files_by_path()])
            self._loads_shown = self.ws.loads
            data = {"ok": True, "count": len(rows), "columns": shapes.columns(rows), "version": self.version}
            encoded = json.dumps(data, separators=(",", ":")).encode()
            self._gallery_cache = (self.version, encoded)
            return encoded

    def _gallery_rows(self, file_ids) -> list[tuple]:
        """Gallery rows, reusing each one while its row version and duplicate mark are unchanged."""
        duplicates = self._duplicate_ids()
        ws = self.ws
        out = []
        for fid in file_ids:
            if not ws.has(fid):
                continue
            version = ws.row_version(fid)
            dup = fid in duplicates
            cached = self._rows.get(fid)
            if cached is None or cached[0] != version or cached[1] != dup:
                cached = self._rows[fid] = (version, dup, shapes.gallery_row(ws.row(fid), duplicates))
            out.append(cached[2])
        return out

    def rows(self, file_ids: list[int]) -> dict:
        """The current gallery rows of some files (columns, as the gallery sends them)."""
        with self.lock:
            self.sync()
            return {"ok": True, "rows": shapes.columns(self._gallery_rows(self._known(file_ids))),
                    "version": self.version}

    def _duplicate_ids(self) -> set[int]:
        if self._duplicates is None:
            self._duplicates = {m["file_id"] for g in self._groups() for m in g["members"] if not m["keeper"]}
        return self._duplicates

    def image(self, file_id: int) -> dict:
        with self.lock:
            self.sync()
            return shapes.image_detail(self.ws, self._file(file_id))

    def _file(self, file_id: int):
        if not self.ws.has(file_id):
            raise ApiError(404, f"no image with id {file_id}", "ids come from the gallery listing")
        return self.ws.file(file_id)

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

    def tag_counts(self, file_ids: list[int] | None, query: dict | None = None) -> list[dict]:
        with self.lock:
            self.sync()
            return shapes.tag_counts(self.ws, self._chosen(file_ids, query))

    def _chosen(self, file_ids: list[int] | None, query: dict | None) -> list[int]:
        """The images a reading request names: its ids, else those its filter selects, else all of them."""
        if file_ids is None and query is not None:
            return shapes.select(self.ws, **query)
        return self._known(file_ids)

    def _known(self, file_ids: list[int] | None) -> list[int]:
        if file_ids is None:
            return self.ws.ids()
        check_id_count(len(file_ids))
        file_ids = list(dict.fromkeys(file_ids))  # an id sent twice is one image, counted once
        unknown = [i for i in file_ids if not self.ws.has(i)]
        if unknown:
            raise ApiError(404, f"no image with id {unknown[0]}" + (f" (and {len(unknown) - 1} more)" if len(unknown) > 1 else ""))
        return file_ids

    def vocabulary(self, prefix: str, limit: int) -> list[dict]:
        with self.lock:
            return shapes.vocabulary(self.ws, prefix, limit)

    def history(self, limit: int) -> dict:
        """The newest batches, and the ones an undo and a redo would act on (with who wrote them)."""
        with self.lock:
            self.sync()
            return {"batches": shapes.history(self.ws, limit), **shapes.plain(self.ws.next_steps())}

    def curation(self, file_ids: list[int] | None, query: dict | None = None) -> dict:
        with self.lock:
            self.sync()
            return shapes.curation(self.ws, self._chosen(file_ids, query))

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

    def apply_edit(self, edit: dict, ids: list[int] | None, query: dict | None,
                   visible: list[int] | None = None, current: int | None = None) -> dict:
        """Apply an edit; the answer carries the fresh rows on screen and, when it changed, the open image's
        detail (one round trip instead of two)."""
        with self.lock:
            self.sync()
            targets = self.targets(ids, query)
            self._written_at = self.ws.version
            result = self.ws.apply_edit(shapes.edit_op(edit), targets)
            answer = {"ok": True, **result}
            if result.get("batch_id") is not None:
                self._changed()
                answer.update(self._patch(visible, current))
            return {**answer, "version": self.version}

    def _patch(self, visible: list[int] | None = None, current: int | None = None) -> dict:
        """The fresh gallery rows of the files the last write may have changed, so the page repaints only
        those; ``reload`` when the whole gallery may have changed.

        When many rows changed and the page said which are on screen, only those are computed now (each needs
        the rules run again) and ``pending`` tells the page to fetch the rest after painting.
        """
        stale = self.ws.changed_since(self._written_at)
        if stale is None or self.ws.loads != self._loads_shown:
            # Everything may have changed, or another process wrote and this request's own read picked it up:
            # the page's table is older than the rows this write changed, so it reloads.
            return {"reload": True}
        detail = {}
        if current in stale and self.ws.has(current):
            detail["detail"] = shapes.image_detail(self.ws, self._file(current))
        pending = visible is not None and len(stale) > PATCH_ALL
        ids = sorted(stale.intersection(visible) if pending else stale)
        before = {fid: self._rows[fid][2] for fid in ids if fid in self._rows}
        rows = self._gallery_rows(ids)
        if pending:
            self._catch_up_later(stale)
        return {"rows": shapes.changed_columns(rows, before), "pending": pending, **detail}

    def _catch_up_later(self, file_ids: set[int]) -> None:
        """Have the rows of files a large edit left stale computed while the user looks at the answer."""
        self._behind.update(file_ids)
        if self._catcher is None:
            self._catcher = threading.Thread(target=self._catch_up, name="loraprep-catch-up", daemon=True)
            self._catcher.start()
        self._wake.set()

    def _catch_up(self) -> None:
        """Background: each stale file's verdict and gallery row, a few at a time, stepping aside for requests
        (which then find most of the work done: the page's refresh after a batch edit costs no rules)."""
        while not self._closing:
            self._wake.wait()
            self._wake.clear()
            time.sleep(CATCH_UP_AFTER)
            while self._behind and not self._closing:
                with self.lock.background():
                    if self._closing:  # closed while this thread waited for the lock
                        return
                    until = time.perf_counter() + CATCH_UP_STEP
                    while self._behind and not self.lock.wanted and time.perf_counter() < until:
                        fid = self._behind.pop()
                        if self.ws.has(fid):
                            self._gallery_rows([fid])
                        time.sleep(0)  # hand the interpreter to a request's thread at once, not in 5 ms

    def step(self, direction: str, visible: list[int] | None = None, current: int | None = None,
             expected: int | None = None) -> dict:
        """Undo or redo; answered like an edit (rows on screen first, the open image's detail). With
        ``expected`` (the batch the page showed), another batch being next is refused with 409."""
        with self.lock:
            self._written_at = self.ws.version
            result = getattr(self.ws, direction)(expected)
            self._changed()
            patch = self._patch(visible, current)
            if "detail" not in patch and not patch.get("reload") and current is not None and self.ws.has(current):
                # A caption-field batch changes no gallery row, but the open image's fields.
                patch["detail"] = shapes.image_detail(self.ws, self._file(current))
            return {"ok": True, **result, **patch, "version": self.version}

    def set_field(self, file_ids: list[int], field: str, value: str, current: int | None = None,
                  rename_from: str | None = None) -> dict:
        """A person sets a caption field of some images, or renames one value everywhere (``rename_from``):
        one journal batch; the answer carries the open image's fresh detail."""
        from loraprep.ops.caption_fields import rename_value, set_field

        with self.lock:
            self.sync()
            try:
                if rename_from is not None:
                    batch = rename_value(self.ws, field, rename_from, value, via="web")
                else:
                    batch = set_field(self.ws, self._known(file_ids), field, value, via="web")
            except ValueError as exc:
                raise ApiError(400, str(exc)) from None
            self._changed()
            answer = {"ok": True, "batch_id": batch, "version": self.version}
            if current is not None and self.ws.has(current):
                answer["detail"] = shapes.image_detail(self.ws, self._file(current))
            return answer

    def set_thresholds(self, **values) -> dict:
        with self.lock:
            thresholds = self.ws.set_thresholds(**{k: v for k, v in values.items() if v is not None})
            self._changed(reloaded=True)
            return {"ok": True, "thresholds": shapes.thresholds(thresholds), "version": self.version}

    # ---- crop boxes ----------------------------------------------------------------------------------------
    def boxes(self, file_id: int) -> dict:
        from loraprep.ops.crop_edits import crop_boxes

        with self.lock:
            self.sync()
            return {"ok": True, **crop_boxes(self.ws, file_id)}

    def edit_box(self, file_id: int, action: str, box, crop: int | None, what: str) -> dict:
        """A crop added, moved or deleted on a picture: one journal batch; the page reloads its gallery."""
        from loraprep.ops.crop_edits import edit_crop

        with self.lock:
            self.sync()
            result = edit_crop(self.ws, file_id, action, box=box, crop=crop, what=what)
            self._changed(reloaded=True)
            return {"ok": True, **result, "version": self.version}

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
            self._changed(reloaded=True)
            return {"ok": True, "result": shapes.plain(result), "version": self.version}

    def run_op(self, name: str, **kwargs) -> dict:
        """'plan' or 'export' on the editor's workspace (set by the route, never by the request)."""
        from loraprep.ops.export import export
        from loraprep.ops.plan import workspace_plan

        given = {k: v for k, v in kwargs.items() if v is not None}
        with self.lock:
            self.sync()
            if name == "plan":
                result = workspace_plan(self.ws, **given)
            else:
                result = export(self.ws.root, given.pop("out"), workspace=self.ws, **given)
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
