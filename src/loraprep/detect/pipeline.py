"""Batched detection: decode + letterbox in the shared prefetching pool, overlapped with inference."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable, Iterator

from loraprep.detect.postprocess import FLOOR, detections
from loraprep.detect.preprocess import load_input
from loraprep.detect.yolo import Detector
from loraprep.errors import ModelError
from loraprep.inference.batched import predicted, prefetched_batches
from loraprep.model.detection import Detection


@dataclass
class DetectResult:
    """One image's boxes (every one >= the floor, after NMS, in source pixels), or why it could not be read."""

    image_id: str
    boxes: list[Detection] = field(default_factory=list)
    error: str | None = None


def detect_images(detector: Detector, items: Iterable[tuple[str, Path, tuple[int, int] | None]], *,
                  batch_size: int | None = None, floor: float = FLOOR,
                  workers: int | None = None) -> Iterator[DetectResult]:
    """Detect on (image_id, path, (width, height) or None) triples, yielding results in input order.

    The size, when given, is the image's displayed size as scan recorded it, so boxes map back to full-size
    pixels even when a JPEG was decoded at a reduced scale.
    """
    bs = max(1, int(batch_size or detector.default_batch_size()))
    if detector.fixed_batch and bs != detector.fixed_batch:
        raise ModelError(f"{detector.key} only accepts batches of {detector.fixed_batch}",
                         f"use --batch {detector.fixed_batch}")
    h, w = detector.height, detector.width
    prepared = prefetched_batches(((image_id, (Path(path), size)) for image_id, path, size in items),
                                  lambda item: load_input(item[0], h, w, item[1]), bs, workers)
    for chunk in prepared:
        arrays = [(image_id, value[0] if error is None else None, error) for image_id, value, error in chunk]
        for (image_id, head, error), (_, value, _) in zip(predicted(arrays, detector.predict), chunk):
            if error is not None:
                yield DetectResult(image_id, error=error)
                continue
            yield DetectResult(image_id, detections(head, detector.labels, value[1], detector.iou, floor))
