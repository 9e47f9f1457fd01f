"""Numpy work split over threads, with BLAS held to one thread while they run so they do not fight over the cores."""

from __future__ import annotations

import os
import sys
from contextlib import contextmanager, nullcontext
from typing import Callable, Iterator, Sequence, TypeVar

T = TypeVar("T")
R = TypeVar("R")

# what the BLAS libraries numpy may load read, once, when numpy is imported
ONE_THREAD_ENVIRONMENT = {"OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}


def cores() -> int:
    """How many threads numpy work may use: the project's worker setting (LORAPREP_WORKERS, else the CPUs)."""
    from loraprep import settings

    return settings.workers()


def side_by_side(work: Callable[[T], R], parts: Sequence[T]) -> list[R]:
    """[work(p) for p in parts], the parts on up to cores() threads. Pays off where numpy releases the GIL
    (large element-wise passes, sorts, matrix products); a BLAS pool of its own per thread would
    oversubscribe the cores (measured: the cut-out search took 2.3 s so, 1.5 s with one BLAS thread)."""
    if len(parts) <= 1 or cores() == 1:
        return [work(p) for p in parts]
    from concurrent.futures import ThreadPoolExecutor

    with one_blas_thread(), ThreadPoolExecutor(min(cores(), len(parts))) as pool:
        return list(pool.map(work, parts))


def one_blas_thread():
    """Context: BLAS runs on the calling thread only (threadpoolctl), for work made of many small matrix
    products, which a BLAS thread pool slows down (the strict verification: 2.75-2.85 s against 2.98-3.11 s
    for 15,846 pairs)."""
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:           # not installed: BLAS keeps its own threads (slower, same results)
        return nullcontext()
    # threadpoolctl limits the BLAS libraries loaded when it is called: numpy (and its BLAS) must be loaded first,
    # or the work inside loads it with a full pool (scan, whose threads loaded numpy themselves, took 2x the CPU)
    import numpy  # noqa: F401
    return threadpool_limits(limits=1, user_api="blas")


@contextmanager
def environment(values: dict[str, str]) -> Iterator[None]:
    """Context: these environment variables set, and put back as they were after (a library reads them while
    it loads, in this process or in one started inside)."""
    saved = {name: os.environ.get(name) for name in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


@contextmanager
def blas_beside_busy_cores() -> Iterator[None]:
    """Context for numpy work beside threads that keep the cores busy already (a video decoder's): BLAS on
    the calling thread only. Where numpy is not loaded yet it loads here with no BLAS thread pool at all:
    OpenBLAS starts one when numpy is imported, and its threads spin on a core for a while after the import
    and after every matrix product they take part in (about 0.1 s of CPU at the import; 100 descriptor-sized
    products and a pause cost 240 ms of CPU with the pool, 110 without), CPU the decoder would have used."""
    if "numpy" not in sys.modules:
        with environment(ONE_THREAD_ENVIRONMENT):
            import numpy  # noqa: F401 - loaded now, while the variables hold
        yield
        return
    with one_blas_thread():
        yield
