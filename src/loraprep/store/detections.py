"""Detector boxes per image and model@revision (every box >= a low floor), and the read API other stages use.

Read API (for captions, classification, --where): ``boxes`` (per image, filtered by score/label/model),
``person_counts`` (npeople), ``detector_models`` (which models ran, newest first), ``detected_ids``.
"""

from __future__ import annotations

import json
import sqlite3
from typing import Iterable

from loraprep.model.detection import Detection


def write_detections(conn: sqlite3.Connection, image_id: str, model: str, boxes: Iterable[Detection],
                     at: str) -> None:
    """Replace what ``model`` found on one image (inside the caller's transaction)."""
    conn.execute("DELETE FROM detections WHERE image_id = ? AND model = ?", (image_id, model))
    conn.executemany(
        "INSERT INTO detections (image_id, model, n, label, score, x0, y0, x1, y1) VALUES (?,?,?,?,?,?,?,?,?)",
        [(image_id, model, n, b.label, b.score, b.x0, b.y0, b.x1, b.y1) for n, b in enumerate(boxes)])
    conn.execute("INSERT OR REPLACE INTO detected (image_id, model, at) VALUES (?, ?, ?)", (image_id, model, at))


def record_detector(conn: sqlite3.Connection, model: str, labels: list[str], score: float, iou: float,
                    at: str) -> None:
    """Remember a detector's classes and its model card's thresholds (queries default to its score)."""
    conn.execute("INSERT OR REPLACE INTO detectors (model, labels, score, iou, at) VALUES (?, ?, ?, ?, ?)",
                 (model, json.dumps(labels), score, iou, at))


def card_score(conn: sqlite3.Connection, model: str, default: float = 0.25) -> float:
    """The score threshold recorded for a detector (its model card's), or ``default``."""
    row = conn.execute("SELECT score FROM detectors WHERE model = ?", (model,)).fetchone()
    return float(row[0]) if row else default


def detected_ids(conn: sqlite3.Connection, model: str) -> set[str]:
    """Images this model@revision has already looked at (with or without boxes)."""
    return {r[0] for r in conn.execute("SELECT image_id FROM detected WHERE model = ?", (model,))}


def detector_models(conn: sqlite3.Connection, label: str | None = None) -> list[str]:
    """Models that ran on this dataset (that found ``label`` at least once, when given), most recent first."""
    if label is None:
        rows = conn.execute("SELECT model, MAX(at) AS last FROM detected GROUP BY model ORDER BY last DESC")
        return [r[0] for r in rows]
    rows = conn.execute(
        "SELECT d.model, MAX(t.at) AS last FROM (SELECT DISTINCT model FROM detections WHERE label = ?) d"
        " JOIN detected t ON t.model = d.model GROUP BY d.model ORDER BY last DESC", (label,))
    return [r[0] for r in rows]


def boxes(conn: sqlite3.Connection, *, model: str | None = None, label: str | None = None,
          min_score: float = 0.0, image_ids: Iterable[str] | None = None) -> dict[str, list[Detection]]:
    """image id -> its boxes scoring >= min_score, best first; ``model`` None: the latest model that found
    ``label`` (or the latest of all). Images the model saw without a box map to []; unseen images are absent."""
    if model is None:
        models = detector_models(conn, label)
        if not models:
            return {}
        model = models[0]
    wanted = set(image_ids) if image_ids is not None else None
    found: dict[str, list[Detection]] = {}
    for (image_id,) in conn.execute("SELECT image_id FROM detected WHERE model = ?", (model,)):
        if wanted is None or image_id in wanted:
            found[image_id] = []
    sql = "SELECT image_id, label, score, x0, y0, x1, y1 FROM detections WHERE model = ? AND score >= ?"
    params: list = [model, min_score]
    if label is not None:
        sql, params = sql + " AND label = ?", params + [label]
    for row in conn.execute(sql + " ORDER BY image_id, n", params):
        if row[0] in found:
            found[row[0]].append(Detection(row[1], row[2], row[3], row[4], row[5], row[6]))
    return found


def person_counts(conn: sqlite3.Connection, min_score: float | None = None, *,
                  model: str | None = None) -> dict[str, int]:
    """npeople: image id -> how many person boxes score >= min_score (default: the detector's card threshold),
    for every image the model (default: the newest that found a person) saw."""
    return {image_id: len(found) for image_id, found in person_boxes(conn, min_score, model=model).items()}


def person_boxes(conn: sqlite3.Connection, min_score: float | None = None, *,
                 model: str | None = None) -> dict[str, list[Detection]]:
    """The person boxes behind person_counts."""
    if model is None:
        models = detector_models(conn, "person")
        if not models:
            return {}
        model = models[0]
    score = card_score(conn, model) if min_score is None else min_score
    return boxes(conn, model=model, label="person", min_score=score)
