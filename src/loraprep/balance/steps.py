"""Steps per epoch as kohya's sd-scripts counts them: batches rounded up per aspect bucket, regularisation filling."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Iterable, Sequence

Size = tuple[int, int]


@dataclass(frozen=True)
class BucketSpec:
    """kohya's aspect-ratio bucketing settings (the same values the kohya exporter writes to dataset.toml)."""

    resolution: int = 768
    min_reso: int = 256
    max_reso: int = 1024
    reso_steps: int = 64

    def __post_init__(self) -> None:
        if min(self.resolution, self.min_reso, self.max_reso, self.reso_steps) < 1:
            raise ValueError("bucket settings must be positive")
        if self.max_reso < self.resolution or self.max_reso < self.min_reso:
            raise ValueError("max_reso must be at least resolution and min_reso")


@dataclass(frozen=True)
class StepGroup:
    """One folder of images as the trainer sees it: how often it repeats, and its images' sizes if known."""

    images: int
    repeats: int
    sizes: tuple[Size, ...] = ()
    regularization: bool = False


def guide_steps(images_times_repeats: int, epochs: int, batch_size: int) -> float:
    """The guides' back-of-envelope formula: images x repeats x epochs / batch (no rounding)."""
    return images_times_repeats * epochs / batch_size


def bucket_resolutions(spec: BucketSpec) -> list[Size]:
    """The predefined bucket sizes: about resolution^2 pixels each, sides multiples of reso_steps."""
    area = spec.resolution * spec.resolution
    step = spec.reso_steps
    resos = {(int(math.sqrt(area) // step) * step,) * 2}
    width = spec.min_reso
    while width <= spec.max_reso:
        height = min(spec.max_reso, int((area // width) // step) * step)
        if height >= spec.min_reso:
            resos.add((width, height))
            resos.add((height, width))
        width += step
    return sorted(resos)


def select_bucket(width: int, height: int, resos: Sequence[Size]) -> Size:
    """The bucket an image lands in: its own size if predefined, else the closest aspect ratio (first wins ties)."""
    if (width, height) in resos:
        return (width, height)
    aspect = width / height
    return min(resos, key=lambda reso: abs(reso[0] / reso[1] - aspect))


def _regularization_fill(train_samples: int, reg_groups: Sequence[StepGroup]) -> list[tuple[StepGroup, list[int]]]:
    """Per reg image repeats after kohya tops reg images up until they match the train samples of the dataset."""
    per_image = [(group, [group.repeats] * group.images) for group in reg_groups]
    flat = [(g, i) for g, (_, counts) in enumerate(per_image) for i in range(len(counts))]
    if not flat or train_samples == 0:
        return [(group, [0] * group.images) for group in reg_groups]
    used = [[0] * group.images for group in reg_groups]
    filled = 0
    first_pass = True
    while filled < train_samples:
        for g, i in flat:
            step = per_image[g][1][i] if first_pass else 1
            used[g][i] += step
            filled += step
            if filled >= train_samples:
                break
        first_pass = False
    return [(group, counts) for group, counts in zip(reg_groups, used, strict=False)]


def samples_per_epoch(groups: Iterable[StepGroup]) -> int:
    """Images x repeats for one epoch, regularisation included (kohya pads reg images to the train count)."""
    groups = list(groups)
    train = sum(g.images * g.repeats for g in groups if not g.regularization and g.repeats > 0)
    reg_groups = [g for g in groups if g.regularization and g.repeats > 0 and g.images > 0]
    reg = sum(sum(counts) for _, counts in _regularization_fill(train, reg_groups))
    return train + reg


def batches_per_epoch(groups: Iterable[StepGroup], batch_size: int, buckets: BucketSpec | None = None) -> int:
    """Batches in one epoch: with buckets, every bucket's count is rounded up to whole batches separately.

    Images whose sizes are unknown share one extra bucket, so the figure stays a close lower bound.
    """
    if batch_size < 1:
        raise ValueError("batch_size must be at least 1")
    groups = [g for g in groups if g.repeats > 0 and g.images > 0]
    train_groups = [g for g in groups if not g.regularization]
    reg_groups = [g for g in groups if g.regularization]
    train = sum(g.images * g.repeats for g in train_groups)
    weighted: list[tuple[StepGroup, list[int]]] = [(g, [g.repeats] * g.images) for g in train_groups]
    weighted += _regularization_fill(train, reg_groups)

    if buckets is None:
        return math.ceil(sum(sum(counts) for _, counts in weighted) / batch_size)

    resos = bucket_resolutions(buckets)
    counts_by_bucket: dict[Size | None, int] = {}
    for group, counts in weighted:
        known = len(group.sizes) == group.images
        for index, count in enumerate(counts):
            # A size of 0 (an image the scan could not measure) has no aspect ratio: it joins the unknown bucket.
            key = select_bucket(*group.sizes[index], resos) if known and min(group.sizes[index]) > 0 else None
            counts_by_bucket[key] = counts_by_bucket.get(key, 0) + count
    return sum(math.ceil(count / batch_size) for count in counts_by_bucket.values() if count)


def steps_per_epoch(
    groups: Iterable[StepGroup], batch_size: int, buckets: BucketSpec | None = None, grad_accum: int = 1
) -> int:
    """Optimizer steps per epoch: batches divided by gradient accumulation, rounded up (train_network.py)."""
    if grad_accum < 1:
        raise ValueError("grad_accum must be at least 1")
    return math.ceil(batches_per_epoch(groups, batch_size, buckets) / grad_accum)


def epochs_for(target_steps: int, steps_in_epoch: int) -> int:
    """The fewest whole epochs that reach ``target_steps``."""
    if steps_in_epoch < 1:
        raise ValueError("an epoch must have at least one step")
    return max(1, math.ceil(target_steps / steps_in_epoch))


def all_sizes_known(groups: Iterable[StepGroup]) -> bool:
    return all(len(g.sizes) == g.images for g in groups)
