"""YOLO output decoding: (4 + classes, anchors) rows of cx, cy, w, h and class scores -> boxes; class-aware NMS."""

from __future__ import annotations

import numpy as np

from loraprep.model.detection import Detection

FLOOR = 0.05  # every box scoring at least this is stored; the model card's threshold is applied on read


def decode(output: np.ndarray, labels: list[str], floor: float = FLOOR) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(xyxy boxes in input pixels, best score, class index) of every anchor whose best class scores >= floor.

    ``output`` is one image's (4 + classes, anchors) YOLOv8 head, or an end-to-end (anchors, 6) x0 y0 x1 y1 score
    class table (YOLOv10-style exports), as imgutils' generic YOLO reader tells them apart.
    """
    output = np.asarray(output, np.float32)
    if output.ndim == 2 and output.shape[0] == 4 + len(labels):
        scores = output[4:]
        best = scores.argmax(axis=0)
        top = scores[best, np.arange(scores.shape[1])]
        keep = top >= floor
        cx, cy, w, h = output[:4, keep]
        boxes = np.stack([cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2], axis=1)
        return boxes, top[keep], best[keep]
    if output.ndim == 2 and output.shape[1] == 6:
        keep = output[:, 4] >= floor
        rows = output[keep]
        return rows[:, :4].copy(), rows[:, 4].copy(), rows[:, 5].astype(np.int64)
    raise ValueError(f"output of shape {list(output.shape)} is neither (4+{len(labels)}, anchors) nor (anchors, 6)")


def nms(boxes: np.ndarray, scores: np.ndarray, classes: np.ndarray, iou_threshold: float) -> list[int]:
    """Indices kept by greedy non-maximum suppression within each class, best score first (pure)."""
    order = np.argsort(-scores, kind="stable")
    keep: list[int] = []
    areas = np.clip(boxes[:, 2] - boxes[:, 0], 0, None) * np.clip(boxes[:, 3] - boxes[:, 1], 0, None)
    suppressed = np.zeros(len(scores), bool)
    for rank, i in enumerate(order):
        if suppressed[i]:
            continue
        keep.append(int(i))
        rest = order[rank + 1:]
        rest = rest[(classes[rest] == classes[i]) & ~suppressed[rest]]
        if not len(rest):
            continue
        ix0 = np.maximum(boxes[i, 0], boxes[rest, 0])
        iy0 = np.maximum(boxes[i, 1], boxes[rest, 1])
        ix1 = np.minimum(boxes[i, 2], boxes[rest, 2])
        iy1 = np.minimum(boxes[i, 3], boxes[rest, 3])
        inter = np.clip(ix1 - ix0, 0, None) * np.clip(iy1 - iy0, 0, None)
        union = areas[i] + areas[rest] - inter
        overlap = np.where(union > 0, inter / np.maximum(union, 1e-9), 0.0)
        suppressed[rest[overlap > iou_threshold]] = True
    return keep


def detections(output: np.ndarray, labels: list[str], geometry, iou_threshold: float,
               floor: float = FLOOR) -> list[Detection]:
    """One image's boxes >= floor after class-aware NMS, in source pixels, best first."""
    boxes, scores, classes = decode(output, labels, floor)
    found = []
    for i in nms(boxes, scores, classes, iou_threshold):
        x0, y0, x1, y1 = (float(v) for v in geometry.to_source(boxes[i]))
        if x1 - x0 < 1 or y1 - y0 < 1:
            continue
        cls = int(classes[i])
        label = labels[cls] if 0 <= cls < len(labels) else str(cls)
        found.append(Detection(label, round(float(scores[i]), 5), round(x0, 2), round(y0, 2), round(x1, 2),
                               round(y1, 2)))
    return found
