"""Tagging fixtures: the committed tiny demo tagger, the sample plan, and small hand-built ONNX models."""

from __future__ import annotations

import csv
import importlib.util
import sys
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[2]
TINY_DIR = ROOT / "examples" / "tiny_tagger"
SAMPLE_DIR = ROOT / "examples" / "sample"


def _import(name: str, path: Path):
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="session")
def scenes():
    return _import("scenes", TINY_DIR / "scenes.py")


@pytest.fixture(scope="session")
def make_sample():
    return _import("loraprep_make_sample", ROOT / "examples" / "make_sample.py")


@pytest.fixture(scope="session")
def tiny():
    from loraprep.tagging.pipeline import load_tagger

    return load_tagger(str(TINY_DIR), device="cpu")


def write_tags_csv(path: Path, rows: list[tuple[str, int]]) -> Path:
    with open(path, "w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(["tag_id", "name", "category", "count"])
        for i, (name, category) in enumerate(rows):
            writer.writerow([i, name, category, 100])
    return path


def write_onnx(path: Path, *, input_shape=("batch", 32, 32, 3), outputs: int = 5, seed: int = 0) -> Path:
    """A small valid model: mean colour of an NHWC (or any) image -> linear -> sigmoid."""
    import onnx
    from onnx import TensorProto, helper, numpy_helper

    channel_axis = 3 if input_shape[3] == 3 else 1
    spatial = [a for a in (1, 2, 3) if a != channel_axis]
    weights = np.random.default_rng(seed).normal(0, 0.01, (3, outputs)).astype(np.float32)
    graph = helper.make_graph(
        [helper.make_node("ReduceMean", ["input"], ["mean"], axes=spatial, keepdims=0),
         helper.make_node("MatMul", ["mean", "w"], ["logits"]),
         helper.make_node("Sigmoid", ["logits"], ["output"])],
        "tiny",
        [helper.make_tensor_value_info("input", TensorProto.FLOAT, list(input_shape))],
        [helper.make_tensor_value_info("output", TensorProto.FLOAT, [input_shape[0], outputs])],
        [numpy_helper.from_array(weights, "w")],
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)])
    model.ir_version = 8
    onnx.save(model, str(path))
    return path


@pytest.fixture
def model_dir(tmp_path):
    """Build a model folder: model_dir(outputs=5, tags=5, input_shape=...) -> Path."""

    def build(outputs: int = 5, tags: int | None = None, input_shape=("batch", 32, 32, 3), name: str = "m"):
        folder = tmp_path / name
        folder.mkdir()
        write_onnx(folder / "model.onnx", input_shape=input_shape, outputs=outputs)
        rows = [("general", 9)] + [(f"tag_{i}", 0) for i in range((tags if tags is not None else outputs) - 1)]
        write_tags_csv(folder / "selected_tags.csv", rows)
        return folder

    return build
