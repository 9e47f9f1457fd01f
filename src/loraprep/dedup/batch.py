"""Per-image work in worker processes (descriptors, contact sheets), results back in order.

Decoding releases the GIL, but a descriptor's numpy and Pillow bookkeeping (about a third of the
work per image) does not, nor does libspng's decode, so threads on 2 cores ran encoding at 1.6x a
bare decode; processes run it side by side. Small batches stay in threads: starting workers costs
more than it saves.
"""

from __future__ import annotations

import os
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import Callable, Iterable, Iterator, TypeVar

from loraprep.errors import ImageError

T = TypeVar("T")
R = TypeVar("R")

PROCESS_MIN = 64          # fewer files than this: threads (no worker start-up)
_CHUNK = 16
_PRELOAD = ["loraprep.dedup.encode", "loraprep.dedup.verify", "PIL.PngImagePlugin", "PIL.JpegImagePlugin", "PIL.WebPImagePlugin",
            "pyspng"]          # a module that is not installed is skipped by the fork server


def describe_path(path: str) -> tuple[bytes | None, str | None]:
    """(descriptor blob, None) or (None, one-line reason); never raises for a bad image."""
    from loraprep.dedup.encode import describe_file

    try:
        return describe_file(path).to_bytes(), None
    except ImageError as exc:
        return None, exc.message


def describe_paths(paths: Iterable[str | os.PathLike], workers: int) -> Iterator[tuple[bytes | None, str | None]]:
    """describe_path of every path, in order, computed by ``workers`` processes (see in_workers)."""
    return in_workers(describe_path, [str(p) for p in paths], workers, _CHUNK)


def in_workers(work: Callable[[T], R], items: list[T], workers: int, chunksize: int = 1) -> Iterator[R]:
    """work(item) for every item, in order, in ``workers`` processes; in threads for fewer than PROCESS_MIN
    items, and when worker processes cannot start (e.g. under a script without an ``if __name__ ==
    "__main__"`` guard). ``work`` must be a module-level function: the processes import it."""
    workers = max(1, workers)
    if len(items) >= PROCESS_MIN and workers > 1:
        with _process_pool(workers) as pool:
            try:
                results = pool.map(work, items, chunksize=chunksize)
                first = next(results)
            except BrokenProcessPool:
                results = None
            if results is not None:
                yield first
                yield from results
                return
    with ThreadPoolExecutor(max_workers=workers) as threads:
        yield from threads.map(work, items)


def _process_pool(workers: int, setup: Callable[..., None] | None = None, setup_args: tuple = ()) -> ProcessPoolExecutor:
    """Worker processes started by the fork server (spawned where there is none); ``setup(*setup_args)`` runs in
    each as it starts, after it is tied to this process."""
    import multiprocessing

    # forkserver: the caller may hold threads and an open database; a forked copy of those is unsafe
    if "forkserver" in multiprocessing.get_all_start_methods():
        context = multiprocessing.get_context("forkserver")
        # imported once in the server, shared by every forked worker: each worker importing numpy and
        # Pillow itself delayed the first result by 0.1-0.25 s (2,000 images decode in about 3.5 s)
        context.set_forkserver_preload(_PRELOAD)
        _start_forkserver()
    else:
        context = multiprocessing.get_context("spawn")
    from loraprep import process_identity

    return ProcessPoolExecutor(max_workers=workers, mp_context=context,
                               initializer=_worker_start, initargs=(process_identity.current(), setup, setup_args))


def _start_forkserver() -> None:
    """Start the fork server (if not running yet) with one BLAS thread per worker. The workers already
    fill the cores: a BLAS thread pool in each only fought over them (the thumbnail's small matrix
    products cost 4x their single-thread CPU time). BLAS reads these variables when numpy loads in the
    server, so they are set while it starts and restored at once."""
    from multiprocessing import forkserver

    from loraprep.dedup.threads import ONE_THREAD_ENVIRONMENT, environment

    with environment(ONE_THREAD_ENVIRONMENT):
        try:
            forkserver.ensure_running()
        except OSError:
            pass             # the pool then fails to start its workers and describe_paths falls back to threads


def _worker_start(owner, setup: Callable[..., None] | None = None, setup_args: tuple = ()) -> None:
    """Each worker dies with the process that started the pool (see lifeline.tie_to): a killed dedup left its
    workers, their fork server and the resource tracker running, idle, forever."""
    from loraprep.lifeline import tie_to

    _ignore_interrupts()
    tie_to(owner)
    if setup is not None:
        setup(*setup_args)


def _ignore_interrupts() -> None:
    # Ctrl-C reaches the whole process group: the parent stops the run (exit 130, no traceback); workers that
    # died of it on their own would print one each.
    import signal

    signal.signal(signal.SIGINT, signal.SIG_IGN)
