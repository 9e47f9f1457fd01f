"""What the Ray pipelines share: work lists cut into rows of a Ray Dataset, and the streaming settings."""

from __future__ import annotations

import math
from typing import Sequence

IMAGES_PER_BLOCK = 64      # one decode task's share: enough to hide the task's start-up, small enough to stream


def chunks(items: Sequence[tuple[str, str]], size: int) -> list[dict]:
    """Rows of at most ``size`` consecutive (key, location) items, in order (pure): a row is one model batch,
    so the batches are the ones the local engine forms."""
    size = max(1, int(size))
    return [{"keys": [k for k, _ in items[i:i + size]], "locations": [loc for _, loc in items[i:i + size]]}
            for i in range(0, len(items), size)]


def blocks_for(rows: int, images_per_row: int) -> int:
    """Blocks to cut ``rows`` into so that each holds about IMAGES_PER_BLOCK images (pure)."""
    per_block = max(1, IMAGES_PER_BLOCK // max(1, images_per_row))
    return max(1, math.ceil(rows / per_block))


def dataset(ray, rows: list[dict], images_per_row: int):
    """A Ray Dataset of ``rows``, streamed: results come back as they are ready, not in input order."""
    context = ray.data.DataContext.get_current()
    context.execution_options.preserve_order = False
    context.enable_progress_bars = False
    context.print_on_execution_start = False
    return ray.data.from_items(rows, override_num_blocks=blocks_for(len(rows), images_per_row))
