"""Aspect-bucket limits that sd-scripts accepts as written, shared by the kohya exports and `loraprep plan`.

sd-scripts (library/train_util.py BaseDataset.adjust_min_max_bucket_reso_by_steps) rounds min_bucket_reso
down and max_bucket_reso up to multiples of bucket_reso_steps, then asserts min <= resolution <= max. We
write the values it would end up with, so it neither rewrites them with a warning nor refuses them.
"""

from __future__ import annotations

DEFAULT_MIN = 256
DEFAULT_MAX = 1024


def bucket_limits(resolution: int, min_reso: int = DEFAULT_MIN, max_reso: int | None = None,
                  steps: int = 64) -> tuple[int, int]:
    """(min_bucket_reso, max_bucket_reso): the minimum never above the resolution, both multiples of steps.

    An explicit ``max_reso`` below the resolution is kept (rounded up) so the caller can refuse it.
    """
    low = min(min_reso, resolution)
    low -= low % steps
    high = max_reso if max_reso is not None else max(DEFAULT_MAX, resolution)
    if high % steps:
        high += steps - high % steps
    return max(low, steps), high
