"""Dedup's describing pass on Ray: CPU tasks decode images and compute their descriptors with dedup/batch.py's
describe_path, the local engine's own function; the blobs stream back to the driver, which stores them."""

from __future__ import annotations

from typing import Iterator, Sequence

from loraprep.compute.ray_map import map_on_ray


def describe_on_ray(ray, items: Sequence[tuple[str, str]]) -> Iterator[list[tuple[str, bytes | None, str | None]]]:
    """Lists of (key, descriptor blob or None, error or None), as the workers finish them."""
    return map_on_ray(ray, describe_item, items)


def describe_item(item: tuple[str, str], _shared=None) -> tuple[str, bytes | None, str | None]:
    from loraprep.dedup.batch import describe_path

    key, location = item
    return (key, *describe_path(location))
