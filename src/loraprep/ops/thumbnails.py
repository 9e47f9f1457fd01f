"""Thumbnails made once by a background thread and kept as .loraprep/thumbnails/<image_id>.webp."""

from __future__ import annotations

import io
import itertools
import logging
import queue
import os
import threading
import time
from pathlib import Path

from loraprep.store.atomic import write_bytes_atomic

log = logging.getLogger("loraprep.web")

THUMB_SIZE = 320
URGENT, BACKGROUND = 0, 1


def render_thumbnail(source: Path, size: int = THUMB_SIZE) -> bytes:
    """A WebP no larger than ``size`` on its longer side; alpha composited onto white."""
    from PIL import Image, ImageOps

    from loraprep.regular_file import require_regular

    require_regular(source)
    with Image.open(source) as img:
        if img.format == "JPEG":
            img.draft("RGB", (size * 2, size * 2))  # decode at a fraction of the size: much faster
        img = ImageOps.exif_transpose(img)
        img.thumbnail((size, size), Image.Resampling.LANCZOS)
        if img.mode in ("RGBA", "LA", "P", "PA") or "transparency" in img.info:
            rgba = img.convert("RGBA")
            img = Image.new("RGB", rgba.size, (255, 255, 255))
            img.paste(rgba, mask=rgba.getchannel("A"))
        elif img.mode != "RGB":
            img = img.convert("RGB")
        out = io.BytesIO()
        img.save(out, format="WEBP", quality=80, method=4)
        return out.getvalue()


class ThumbnailWorker:
    """One daemon thread draining a priority queue: pages the user looks at first, the rest afterwards."""

    def __init__(self, folder: Path):
        self.folder = folder
        self._queue: queue.PriorityQueue = queue.PriorityQueue()
        self._order = itertools.count()
        self._done: dict[str, threading.Event] = {}
        self._failed: dict[str, str] = {}
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self._stop = threading.Event()
        self._quiet_at = 0.0  # monotonic time before which background work waits (the user is busy)
        self.made = 0

    def hold_off(self, seconds: float = 0.3) -> None:
        """The page is talking to the server: background thumbnails wait, urgent ones go on."""
        self._quiet_at = time.monotonic() + seconds

    def path_for(self, image_id: str) -> Path:
        return self.folder / f"{image_id}.webp"

    def start(self) -> None:
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, name="loraprep-thumbnails", daemon=True)
            self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._queue.put((-1, 0, None, None))

    def prefill(self, items: list[tuple[str, Path]]) -> None:
        """Queue every missing thumbnail behind the ones the page asks for."""
        for image_id, source in items:
            if not self.path_for(image_id).exists():
                self._submit(image_id, source, BACKGROUND)

    def get(self, image_id: str, source: Path, timeout: float = 15.0) -> Path | None:
        """The cached thumbnail, made now (ahead of the queue) if needed; None when the image cannot be read."""
        target = self.path_for(image_id)
        if target.exists():
            return target
        if image_id in self._failed:
            return None
        event = self._submit(image_id, source, URGENT)
        self.start()
        event.wait(timeout)
        return target if target.exists() else None

    def _submit(self, image_id: str, source: Path, priority: int) -> threading.Event:
        with self._lock:
            event = self._done.get(image_id)
            if event is None:
                event = self._done[image_id] = threading.Event()
            self._queue.put((priority, next(self._order), image_id, source))
            return event

    def _run(self) -> None:
        _lower_priority()
        while not self._stop.is_set():
            priority, order, image_id, source = self._queue.get()
            if image_id is None:
                return
            if priority == BACKGROUND and time.monotonic() < self._quiet_at:
                # Give the editor's answers the CPU; an urgent request queued meanwhile jumps ahead.
                self._queue.put((priority, order, image_id, source))
                time.sleep(0.05)
                continue
            target = self.path_for(image_id)
            event = self._done.get(image_id)
            if not target.exists() and image_id not in self._failed:
                try:
                    write_bytes_atomic(target, render_thumbnail(source))
                    self.made += 1
                except Exception as exc:  # noqa: BLE001 - a broken image must not stop the others
                    self._failed[image_id] = f"{type(exc).__name__}: {exc}"
                    log.info("no thumbnail for %s: %s", source, exc)
            if event is not None:
                event.set()


def _lower_priority() -> None:
    """Run this thread at a lower OS priority (Linux schedules threads one by one): an edit outranks a thumbnail."""
    try:
        os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), 10)
    except (AttributeError, OSError):  # not on this platform, or not allowed: thumbnails just compete
        pass
