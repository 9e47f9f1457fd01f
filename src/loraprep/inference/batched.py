"""Decode ahead in a thread pool while the model runs: batches of prepared arrays, results in input order."""

from __future__ import annotations

from collections import deque
from concurrent.futures import ThreadPoolExecutor
from typing import Callable, Iterable, Iterator

import numpy as np

from loraprep.errors import LoraprepError


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


def guarded(prepare: Callable, item) -> tuple[np.ndarray | None, str | None]:
    """(prepared array, None) or (None, one-line reason); never raises."""
    try:
        return prepare(item), None
    except LoraprepError as exc:  # e.g. not a regular file: its own message says what is wrong
        return None, exc.message
    except Exception as exc:  # one bad file must never stop the run
        return None, describe_decode_error(exc)


def run_batched(items: Iterable[tuple[str, object]], prepare: Callable[[object], np.ndarray],
                predict: Callable[[np.ndarray], np.ndarray], batch_size: int,
                workers: int) -> Iterator[tuple[str, np.ndarray | None, str | None]]:
    """(key, output row, None) or (key, None, error) per (key, item), in input order.

    ``prepare`` (decode + preprocess one item) runs ahead in a thread pool (Pillow and onnxruntime release the
    GIL), so the next batch is being prepared while ``predict`` runs the current one.
    """
    bs, workers = max(1, int(batch_size)), max(1, int(workers))
    window = 2 * bs + workers
    source = iter(items)
    pending: deque = deque()
    pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="loraprep-decode")

    def fill() -> None:
        while len(pending) < window:
            try:
                key, item = next(source)
            except StopIteration:
                return
            pending.append((key, pool.submit(guarded, prepare, item)))

    try:
        fill()
        while pending:
            # A batch is the next bs items less the unreadable ones (not bs readable ones): every engine batches
            # this way, so the same batch size gives the same batches, and the same scores, wherever decoding ran.
            chunk: list[tuple[str, np.ndarray | None, str | None]] = []
            while pending and len(chunk) < bs:
                key, future = pending.popleft()
                chunk.append((key, *future.result()))
                fill()
            ready = sum(error is None for _, _, error in chunk)
            outputs = predict(np.stack([a for _, a, e in chunk if e is None])) if ready else None
            row = 0
            for key, _, error in chunk:
                if error is not None:
                    yield key, None, error
                    continue
                yield key, outputs[row], None
                row += 1
    finally:
        pool.shutdown(wait=False, cancel_futures=True)
