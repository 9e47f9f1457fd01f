"""Decode ahead in a thread pool while the model runs: batches of prepared inputs, results in input order."""

from __future__ import annotations

from collections import deque
from concurrent.futures import ThreadPoolExecutor
from typing import Callable, Iterable, Iterator, TypeVar

import numpy as np

from loraprep import settings
from loraprep.errors import LoraprepError

Item = TypeVar("Item")
# One prepared input: (item id, what prepare returned or None, a one-line reason it could not be read or None).
Prepared = tuple[str, object, "str | None"]


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


def guarded(prepare: Callable, item) -> tuple[object, str | None]:
    """(prepared input, None) or (None, one-line reason); never raises."""
    try:
        return prepare(item), None
    except LoraprepError as exc:  # e.g. not a regular file: its own message says what is wrong
        return None, exc.message
    except Exception as exc:  # one bad file must never stop the run
        return None, describe_decode_error(exc)


def prefetched_batches(items: Iterable[tuple[str, Item]], prepare: Callable[[Item], object], batch_size: int,
                       workers: int | None = None) -> Iterator[list[Prepared]]:
    """Chunks of the next ``batch_size`` items, in input order, each prepared or with its reason.

    A chunk is the next N items less none (the unreadable ones stay in it with their reason), not N readable
    ones: every engine (local, Ray) batches this way, so the same batch size gives the same batches, and the same
    scores, wherever decoding ran. ``prepare`` runs in a thread pool (Pillow and onnxruntime release the GIL),
    ``2 * batch_size + workers`` items ahead, so the next batch is being decoded while the model runs this one.
    """
    bs = max(1, int(batch_size))
    workers = max(1, int(workers or settings.workers()))
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
            pending.append((item_id, pool.submit(guarded, prepare, item)))

    try:
        fill()
        while pending:
            chunk: list[Prepared] = []
            while pending and len(chunk) < bs:
                item_id, future = pending.popleft()
                chunk.append((item_id, *future.result()))
                fill()
            yield chunk
    finally:
        pool.shutdown(wait=False, cancel_futures=True)


def predicted(chunk: list[Prepared], predict: Callable[[np.ndarray], np.ndarray]) -> list[tuple[str, object, "str | None"]]:
    """One chunk through the model at once (its readable inputs stacked): (key, output row, None) or
    (key, None, error) per item, in chunk order. Every model family and engine scores its batches here."""
    arrays = [a for _, a, e in chunk if e is None]
    outputs = predict(np.stack(arrays)) if arrays else None
    rows = iter(range(len(arrays)))
    return [(key, None, error) if error is not None else (key, outputs[next(rows)], None) for key, _, error in chunk]


def run_batched(items: Iterable[tuple[str, Item]], prepare: Callable[[Item], np.ndarray],
                predict: Callable[[np.ndarray], np.ndarray], batch_size: int,
                workers: int | None = None) -> Iterator[tuple[str, np.ndarray | None, str | None]]:
    """(key, output row, None) or (key, None, error) per (key, item), in input order: each chunk of
    prefetched_batches through ``predict`` at once."""
    for chunk in prefetched_batches(items, prepare, batch_size, workers):
        yield from predicted(chunk, predict)
