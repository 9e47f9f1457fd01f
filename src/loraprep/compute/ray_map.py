"""One function over many items on Ray Data CPU tasks (dedup's describing, scan's hashing and decoding): rows of
items in, rows of results out, streamed back in the order they finish."""

from __future__ import annotations

import pickle
from typing import Callable, Iterator, Sequence

from loraprep.compute import ray_data

ROW = 16   # items per task call; the local engine hands its worker processes chunks of the same size

_shared_cache: dict = {}   # per worker process: the shared value of the run, fetched once, not once per task


def map_on_ray(ray, work: Callable, items: Sequence, shared=None) -> Iterator[list]:
    """Lists of work(item, shared), a row at a time, as the workers finish them. ``work`` must be a module-level
    function (the workers import it); ``shared`` goes through the object store once."""
    if not items:
        return
    rows = [{"items": pickle.dumps(list(items[i:i + ROW]), protocol=pickle.HIGHEST_PROTOCOL)}
            for i in range(0, len(items), ROW)]
    context = {"ref": ray.put(shared)}       # wrapped: Ray passes the reference, the worker fetches it once
    dataset = ray_data.dataset(ray, rows, ROW)
    for row in dataset.map(_run_row, fn_kwargs={"work": work, "shared": context}, num_cpus=1).iter_rows():
        yield pickle.loads(row["results"])


def _run_row(row: dict, work: Callable, shared: dict) -> dict:
    import ray

    ref = shared["ref"]
    key = ref.hex()
    if key not in _shared_cache:
        _shared_cache.clear()
        _shared_cache[key] = ray.get(ref)
    value = _shared_cache[key]
    results = [work(item, value) for item in pickle.loads(row["items"])]
    return {"results": pickle.dumps(results, protocol=pickle.HIGHEST_PROTOCOL)}
