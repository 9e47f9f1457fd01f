"""The one switch between engines: tagging, describing and scan's reading run here or on Ray, with the same results.

Both yield one result per image; on Ray they arrive in the order the workers finish them. The caller (ops/)
writes them to the store batch by batch, so a killed run keeps what was committed and a rerun goes on from there.
"""

from __future__ import annotations

import itertools
from concurrent.futures import ThreadPoolExecutor
from typing import Iterator, Sequence

from loraprep import settings
from loraprep.compute.choice import EngineChoice


def tag_results(choice: EngineChoice, tagger, items: Sequence[tuple[str, str]], *, batch_size: int | None = None,
                device: str | None = None) -> Iterator:
    """TagResult for each (image_id, location) item: a path, or an fsspec URL."""
    from loraprep.tagging.pipeline import tag_images
    from loraprep.tagging.postprocess import MIN_SCORE

    if not items:
        return                      # nothing to do: no cluster to join
    if not choice.distributed:
        yield from tag_images(tagger, items, batch_size=batch_size, device=device)
        return
    from loraprep.compute.ray_connect import connected
    from loraprep.compute.ray_tag import tag_on_ray

    with connected(choice.address) as ray:
        for batch in tag_on_ray(ray, tagger, items, batch_size=batch_size, device=device,
                                gpus_per_worker=choice.gpus_per_worker, min_score=MIN_SCORE):
            yield from batch


def describe_results(choice: EngineChoice, items: Sequence[tuple[str, str]]) -> Iterator[tuple]:
    """(key, descriptor blob or None, error or None) for each (key, location) item."""
    from loraprep.dedup.batch import describe_paths

    if not items:
        return
    if not choice.distributed:
        yield from ((key, *result) for (key, _), result in
                    zip(items, describe_paths([loc for _, loc in items], settings.workers())))
        return
    from loraprep.compute.ray_connect import connected
    from loraprep.compute.ray_describe import describe_on_ray

    with connected(choice.address) as ray:
        for batch in describe_on_ray(ray, items):
            yield from batch


def read_results(choice: EngineChoice, found: Sequence, known: set[str], on_decoded=None) -> Iterator:
    """scan's ReadResult (sha256, decode verdict) for each walked FoundFile; content in ``known`` is not decoded.
    ``on_decoded`` (see ingest.decode.probe_bytes, a module-level function) runs on each decode, here or on a worker."""
    from loraprep.ingest.read import read_found

    if not found:
        return
    if not choice.distributed:
        from loraprep.dedup.threads import one_blas_thread

        # Hashing and decoding release the GIL: threads, no process start-up. The threads fill the cores: a BLAS
        # pool under each small matrix product of on_decoded only fought over them
        with one_blas_thread(), ThreadPoolExecutor(max_workers=settings.workers()) as pool:
            yield from pool.map(read_found, found, itertools.repeat(known), itertools.repeat(on_decoded))
        return
    from loraprep.compute.ray_connect import connected
    from loraprep.compute.ray_map import map_on_ray

    with connected(choice.address) as ray:
        for batch in map_on_ray(ray, _read_found_with, found, (known, on_decoded)):
            yield from batch


def _read_found_with(found, shared):
    """read_found on a Ray worker: ``shared`` is (known content hashes, on_decoded)."""
    from loraprep.ingest.read import read_found

    known, on_decoded = shared
    return read_found(found, known, on_decoded)
