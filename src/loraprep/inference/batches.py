"""Batches of prepared model inputs: decoding runs ahead in a thread pool while the model works on the last batch."""

from __future__ import annotations

from collections import deque
from concurrent.futures import ThreadPoolExecutor
from typing import Callable, Iterable, Iterator, TypeVar

from loraprep import settings

Item = TypeVar("Item")
# One prepared input: (item id, what prepare returned or None, a one-line reason it could not be read or None).
Prepared = tuple[str, object, "str | None"]


def prefetched_batches(items: Iterable[tuple[str, Item]], prepare: Callable[[Item], object], batch_size: int,
                       workers: int | None = None) -> Iterator[list[Prepared]]:
    """Chunks of up to ``batch_size`` readable inputs (plus the unreadable ones met on the way), in input order.

    ``prepare`` runs in a thread pool (Pillow and onnxruntime release the GIL), ``2 * batch_size + workers``
    items ahead, so the next batch is being decoded while the caller runs the model on this one. An exception
    from ``prepare`` becomes that item's reason (describe_decode_error); the run goes on.
    """
    bs = max(1, int(batch_size))
    workers = max(1, workers or settings.workers())
    window = 2 * bs + workers
    source = iter(items)
    pending: deque = deque()
    pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="loraprep-decode")

    def fill() -> None:
        while len(pending) < window:
            try:
                item_id, item = next(source)
            except StopIteration:
                return
            pending.append((item_id, pool.submit(_guarded, prepare, item)))

    try:
        fill()
        while pending:
            chunk: list[Prepared] = []
            ready = 0
            while pending and ready < bs:
                item_id, future = pending.popleft()
                value, error = future.result()
                chunk.append((item_id, value, error))
                ready += error is None
                fill()
            yield chunk
    finally:
        pool.shutdown(wait=False, cancel_futures=True)


def _guarded(prepare: Callable, item) -> tuple[object, str | None]:
    try:
        return prepare(item), None
    except Exception as exc:  # one bad file must never stop the run
        return None, describe_decode_error(exc)


def describe_decode_error(exc: BaseException) -> str:
    """A one-line reason for a file that cannot be decoded."""
    kind = type(exc).__name__
    message = " ".join(str(exc).split())[:200]
    if isinstance(exc, FileNotFoundError):
        return "file not found"
    if isinstance(exc, PermissionError):
        return "permission denied"
    if kind == "UnidentifiedImageError":
        return "not an image (unrecognised format)"
    if kind == "DecompressionBombError":
        return f"decompression bomb: {message}"
    if "truncated" in message.lower() or isinstance(exc, EOFError):
        return f"truncated file: {message}"
    return f"decode failed: {message or kind}"
