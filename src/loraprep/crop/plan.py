"""Which crops to make from detected boxes: margin, aspect limits, minimum size, one per box or the union (pure)."""

from __future__ import annotations

from dataclasses import dataclass

from loraprep.model.detection import Box, area, union_box
from loraprep.model.recipe import CropSettings

WHOLE = 0.9  # a crop covering this share of the picture is the picture: not made


@dataclass(frozen=True)
class PlannedCrop:
    """A box to cut, in whole source pixels, or the reason it is not made."""

    box: tuple[int, int, int, int]
    skipped: str | None = None


def plan_crops(boxes: list[Box], width: int, height: int, settings: CropSettings, min_size: int) -> list[PlannedCrop]:
    """The crops one picture gives; every box is accounted for (made, or skipped with a reason)."""
    if not boxes or width < 1 or height < 1:
        return []
    targets = list(boxes) if settings.mode == "each" else [union_box(list(boxes))]
    planned: dict[tuple[int, int, int, int], PlannedCrop] = {}
    for box in targets:
        grown = _grow(box, settings.margin, width, height)
        fitted = _fit_aspect(grown, settings.min_aspect, settings.max_aspect, width, height)
        whole = _whole(fitted or grown)
        if fitted is None:
            w, h = whole[2] - whole[0], whole[3] - whole[1]
            item = PlannedCrop(whole, f"aspect: {w}x{h} cannot be fitted to {settings.min_aspect}-"
                                      f"{settings.max_aspect} inside the picture")
        elif area(whole) >= WHOLE * width * height:
            item = PlannedCrop(whole, "covers the whole picture")
        elif min(whole[2] - whole[0], whole[3] - whole[1]) < min_size:
            item = PlannedCrop(whole, f"small: {whole[2] - whole[0]}x{whole[3] - whole[1]} < {min_size}")
        else:
            item = PlannedCrop(whole)
        planned.setdefault(whole, item)
    return list(planned.values())


def _grow(box: Box, margin: float, width: int, height: int) -> Box:
    x0, y0, x1, y1 = box
    dx, dy = (x1 - x0) * margin, (y1 - y0) * margin
    return (max(0.0, x0 - dx), max(0.0, y0 - dy), min(float(width), x1 + dx), min(float(height), y1 + dy))


def _fit_aspect(box: Box, lo: float, hi: float, width: int, height: int) -> Box | None:
    """The box widened (or heightened) about its centre to width/height within [lo, hi], shifted to stay inside
    the picture; None when the picture is too small for that."""
    x0, y0, x1, y1 = box
    w, h = x1 - x0, y1 - y0
    if w <= 0 or h <= 0:
        return None
    if w / h < lo:
        x0, x1 = _span(x0, x1, lo * h, width)
        if x0 is None:
            return None
    elif w / h > hi:
        y0, y1 = _span(y0, y1, w / hi, height)
        if y0 is None:
            return None
    return (x0, y0, x1, y1)


def _span(a: float, b: float, length: float, limit: int) -> tuple[float | None, float | None]:
    if length > limit + 0.5:
        return None, None
    centre = (a + b) / 2
    start = min(max(0.0, centre - length / 2), limit - length)
    return max(0.0, start), min(float(limit), start + length)


def _whole(box: Box) -> tuple[int, int, int, int]:
    return (int(box[0]), int(box[1]), int(round(box[2])), int(round(box[3])))
