"""Dedup's describing pass on Ray Data: CPU tasks decode images and compute their descriptors (dedup/batch.py's
describe_path, the local engine's own function); the blobs stream back to the driver, which stores them."""

from __future__ import annotations

import pickle
from typing import Iterator, Sequence

from loraprep.compute import ray_data

ROW = 16   # images per task call; the local engine hands its worker processes chunks of the same size


def describe_on_ray(ray, items: Sequence[tuple[str, str]]) -> Iterator[list[tuple[str, bytes | None, str | None]]]:
    """Lists of (key, descriptor blob or None, error or None), as the workers finish them."""
    if not items:
        return
    rows = ray_data.dataset(ray, ray_data.chunks(items, ROW), ROW)
    for row in rows.map(_describe_row, num_cpus=1).iter_rows():
        yield pickle.loads(row["results"])


def _describe_row(row: dict) -> dict:
    from loraprep.dedup.batch import describe_path

    results = [(key, *describe_path(location)) for key, location in zip(row["keys"], row["locations"])]
    return {"results": pickle.dumps(results, protocol=pickle.HIGHEST_PROTOCOL)}
