"""Find a CCIP identity model's files through the one model layer, and read its published numbers."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from loraprep.errors import ModelError
from loraprep.inference import files as model_files
from loraprep.inference import registry

FEATURE_FILE = "model_feat.onnx"
METRIC_FILE = "model_metrics.onnx"
METRICS_JSON = "metrics.json"
CLUSTER_JSON = "cluster.json"
IDENTITY = model_files.Family("identity", (METRICS_JSON, CLUSTER_JSON, METRIC_FILE, FEATURE_FILE),
                              "CCIP identity model", "loraprep classify DATASET --model")
FAMILY = IDENTITY.name
DEFAULT_MODEL = registry.DEFAULTS[FAMILY]


@dataclass(frozen=True)
class Card:
    """The numbers a CCIP model is used with: same character at difference <= threshold; DBSCAN's eps and
    min_samples for clustering the rest (imgutils' method 'dbscan')."""

    threshold: float
    eps: float
    min_samples: int


def resolve(spec: str, revision: str | None = None, cache_dir: str | Path | None = None) -> model_files.ModelFiles:
    """A registry name, a hub repo id (with the model's folder) or a local folder, as the model's files."""
    return model_files.resolve(spec, IDENTITY, revision, cache_dir)


def read_card(files: model_files.ModelFiles) -> Card:
    """metrics.json's threshold and cluster.json's DBSCAN settings (the registry's card when a key is absent)."""
    info = registry.lookup(files.name, FAMILY)
    card = info.card if info is not None else {}
    metrics, cluster = _json(files.path(METRICS_JSON)), _json(files.path(CLUSTER_JSON))
    threshold = metrics.get("threshold", card.get("threshold"))
    dbscan = cluster.get("dbscan") if isinstance(cluster.get("dbscan"), dict) else {}
    eps = dbscan.get("eps", card.get("cluster_eps", threshold))
    min_samples = dbscan.get("min_samples", card.get("min_samples", 2))
    try:
        threshold, eps, min_samples = float(threshold), float(eps), int(min_samples)
    except (TypeError, ValueError):
        raise ModelError(f"{files.path(METRICS_JSON)} has no numeric threshold",
                         'metrics.json of a CCIP model holds {"threshold": 0.178...}') from None
    if not (0 < threshold < 1 and 0 < eps < 1 and min_samples >= 1):
        raise ModelError(f"CCIP model {files.name}: threshold {threshold}, eps {eps}, min_samples {min_samples} "
                         "are out of range", "thresholds are differences between 0 and 1")
    return Card(threshold, eps, min_samples)


def _json(path: Path) -> dict:
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        raise ModelError(f"cannot read {path}: {exc}", "download the model's json files again") from exc
    return data if isinstance(data, dict) else {}
