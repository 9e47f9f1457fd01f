"""Kept frames encoded and published on a worker thread while decoding goes on; recorded in order on the caller's."""

from __future__ import annotations

from collections import deque
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from loraprep.acquire.video.record import Recorder
from loraprep.acquire.video.similar import SimilarFilter
from loraprep.acquire.video.write import png_bytes, publish

QUEUE = 4        # frames waiting for their PNG at most: memory stays flat (a 1080p picture is 6 MB)


@dataclass
class _Pending:
    future: object
    planned: str
    origin: str
    facts: dict


class FrameWriter:
    """PNG encoding (zlib releases the GIL) and the no-overwrite publish run beside the decoder; the store is
    written only from the calling thread, in the order the frames were kept."""

    def __init__(self, folder: Path, rel: str, recorder: Recorder, similar: SimilarFilter | None) -> None:
        self.folder, self.rel, self.recorder, self.similar = folder, rel, recorder, similar
        self.written: list[str] = []
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="loraprep-frames")
        self._pending: deque[_Pending] = deque()
        self._renamed: dict[str, str] = {}

    def planned_path(self, name: str) -> str:
        return f"{self.rel}/{name}" if self.rel else name

    def submit(self, picture, name: str, origin: str, facts: dict, descriptor) -> None:
        planned = self.planned_path(name)
        future = self._pool.submit(_encode_and_publish, self.folder, name, picture)
        self._pending.append(_Pending(future, planned, origin, facts))
        if self.similar is not None and descriptor is not None:
            self.similar.add(planned, descriptor)
        while len(self._pending) > QUEUE:
            self._finish_one()
        self.drain(block=False)

    def final(self, key: str) -> str:
        """The path a kept frame ended up at (waiting for it when it is still being written)."""
        if any(p.planned == key for p in self._pending):
            self.drain(block=True)
        return self._renamed.get(key, key)

    def drain(self, block: bool) -> None:
        while self._pending and (block or self._pending[0].future.done()):
            self._finish_one()

    def close(self) -> None:
        """Record every frame still in flight (block), then stop the worker."""
        try:
            self.drain(block=True)
        finally:
            self._pool.shutdown(wait=True)

    def _finish_one(self) -> None:
        pending = self._pending.popleft()
        path, adopted, data = pending.future.result()
        rel = self.planned_path(path.name)
        self.recorder.wrote(rel, data, pending.origin, pending.facts)
        if rel != pending.planned:                  # the name was taken by another file: the frame took -2
            self._renamed[pending.planned] = rel
            if self.similar is not None:
                self.similar.rename(pending.planned, rel)
        if not adopted:
            self.written.append(rel)


def _encode_and_publish(folder: Path, name: str, picture):
    data = png_bytes(picture)
    path, adopted = publish(folder, name, data)
    return path, adopted, data
