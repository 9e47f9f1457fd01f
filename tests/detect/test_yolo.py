"""A detector's contract read from its graph and metadata; registry detectors found in a fake hub cache offline."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from loraprep.detect.yolo import input_geometry, labels_of, load_detector
from loraprep.errors import ModelError
from loraprep.inference import registry

from tests.detect.conftest import TINY_DETECTOR

COMMIT = "d" * 40


def test_the_tiny_detector_reads_as_a_yolo_export(tiny_detector):
    assert (tiny_detector.height, tiny_detector.width) == (256, 256)
    assert tiny_detector.labels == ["person"] and tiny_detector.input_name == "images"
    assert tiny_detector.output_name == "output0" and tiny_detector.fixed_batch is None


def test_size_from_metadata_when_the_graph_is_dynamic_and_layout_checked():
    assert input_geometry((1, 3, "h", "w"), {"imgsz": "[480, 640]"}, Path("m")) == (480, 640, 1)
    assert input_geometry(("b", 3, "h", "w"), {}, Path("m")) == (640, 640, None)
    with pytest.raises(ModelError, match="NHWC"):
        input_geometry((1, 448, 448, 3), {}, Path("m"))


def test_labels_from_ultralytics_names_and_never_evaluated_as_code():
    assert labels_of({"names": "{0: 'head', 1: 'face'}"}, (), None, Path("m")) == ["head", "face"]
    assert labels_of({}, (1, 5, 100), "halfbody", Path("m")) == ["halfbody"]
    with pytest.raises(ModelError):
        labels_of({"names": "__import__('os').getcwd()"}, (), None, Path("m"))
    with pytest.raises(ModelError, match="names no classes"):
        labels_of({}, (1, 7, 100), None, Path("m"))


def test_a_registry_detector_loads_from_the_hub_cache_with_its_card(tmp_path, monkeypatch):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    info = registry.lookup("head-v2.0-s", "detector")
    assert info.repo_id == "deepghs/anime_head_detection" and info.card == {"what": "head", "score": 0.4, "iou": 0.7}
    repo_dir = tmp_path / ("models--" + info.repo_id.replace("/", "--"))
    (repo_dir / "refs").mkdir(parents=True)
    (repo_dir / "refs" / "main").write_text(COMMIT)
    folder = repo_dir / "snapshots" / COMMIT / info.subfolder
    folder.mkdir(parents=True)
    shutil.copy(TINY_DETECTOR / "model.onnx", folder / "model.onnx")
    detector = load_detector("head-v2.0-s", device="cpu", cache_dir=tmp_path)
    assert detector.key == f"head-v2.0-s@{COMMIT[:12]}"
    assert (detector.score, detector.iou) == (0.4, 0.7)
    with pytest.raises(ModelError, match="not in the Hugging Face cache"):
        load_detector("face-v1.4-s", device="cpu", cache_dir=tmp_path)
