"""A loaded YOLO detector: its input size and labels read from the graph and its metadata, and one session."""

from __future__ import annotations

import ast
import json
from pathlib import Path

import numpy as np

from loraprep.detect import loader
from loraprep.errors import ModelError
from loraprep.inference import session as ort_session
from loraprep.inference.files import ModelFiles

DEFAULT_SIZE = 640  # ultralytics' export size when a graph is dynamic and its metadata names none


class Detector:
    """A YOLO-family ONNX detector: NCHW float32 RGB 0..1 in, (batch, 4 + classes, anchors) out."""

    def __init__(self, files: ModelFiles, device: str = "auto"):
        self.files = files
        self.key = files.key
        self.model_path = files.path(loader.MODEL_FILE)
        self.device = device
        self.session = ort_session.open_session(self.model_path, device)
        graph = ort_session.graph_info(self.session)
        meta = ort_session.model_metadata(self.session)
        self.input_name, self.output_name = graph.input_name, graph.output_name
        self.height, self.width, self.fixed_batch = input_geometry(graph.input_shape, meta, self.model_path)
        if "float" not in graph.input_type:
            raise ModelError(f"{self.model_path}: input type {graph.input_type} is not float",
                             "YOLO detectors take float32 RGB 0..1 pixels")
        self._dtype = np.float16 if "float16" in graph.input_type else np.float32
        card = loader.card(files.name)
        self.labels = labels_of(meta, graph.output_shape, card.get("what"), self.model_path)
        self.score = float(card.get("score", meta_float(meta, "score", 0.25)))
        self.iou = float(card.get("iou", meta_float(meta, "iou", 0.7)))

    @property
    def provider(self) -> str:
        return ort_session.active_provider(self.session)

    def predict(self, batch: np.ndarray) -> np.ndarray:
        """The raw head, (N, 4 + classes, anchors), for a ready (N, 3, H, W) batch."""
        feed = {self.input_name: np.ascontiguousarray(batch, dtype=self._dtype)}
        try:
            out = self.session.run([self.output_name], feed)[0]
        except Exception as exc:  # onnxruntime errors are untyped; out of memory is the usual one
            first = (str(exc).strip().splitlines() or [type(exc).__name__])[0][:300]
            raise ModelError(f"inference failed with {self.key}: {first}",
                             "try a smaller --batch, or --device cpu") from exc
        return np.asarray(out, np.float32)

    def default_batch_size(self) -> int:
        if self.fixed_batch:
            return self.fixed_batch
        return 16 if self.provider != "CPUExecutionProvider" else 1


def load_detector(spec: str, revision: str | None = None, *, device: str = "auto",
                  cache_dir: str | Path | None = None) -> Detector:
    """Resolve (registry name, hub repo id or local folder), download if needed, check and open a detector."""
    return Detector(loader.resolve(spec, revision, cache_dir), device)


def input_geometry(shape: tuple, meta: dict, model_path: Path) -> tuple[int, int, int | None]:
    """(height, width, fixed batch or None) of an NCHW 3-channel input; the size from the graph, else ``imgsz``."""
    if len(shape) != 4 or shape[1] != 3:
        layout = "NHWC" if len(shape) == 4 and shape[3] == 3 else "an unknown layout"
        raise ModelError(f"{model_path}: input shape {list(shape)} is {layout}, not NCHW (batch, 3, height, width)",
                         "loraprep runs YOLO detectors exported by ultralytics (NCHW float32 RGB 0..1)")
    height, width = shape[2], shape[3]
    if not (isinstance(height, int) and isinstance(width, int) and height > 0 and width > 0):
        size = _imgsz(meta.get("imgsz"))
        height, width = size if size else (DEFAULT_SIZE, DEFAULT_SIZE)
    batch = shape[0] if isinstance(shape[0], int) and shape[0] > 0 else None
    return int(height), int(width), batch


def _imgsz(text: str | None) -> tuple[int, int] | None:
    """ultralytics writes imgsz as "[640, 640]" (height, width)."""
    try:
        value = json.loads(text) if text else None
    except ValueError:
        return None
    if isinstance(value, int):
        value = [value, value]
    if isinstance(value, list) and len(value) == 2 and all(isinstance(v, int) and v > 0 for v in value):
        return value[0], value[1]
    return None


def labels_of(meta: dict, output_shape: tuple, what: str | None, model_path: Path) -> list[str]:
    """Class names from the ``names`` metadata ({0: 'person'} as ultralytics writes it, or a JSON list)."""
    text = meta.get("names")
    if text:
        try:
            value = ast.literal_eval(text)  # literals only: never evaluates code
        except (ValueError, SyntaxError):
            value = None
        if isinstance(value, dict) and all(isinstance(k, int) for k in value) and value:
            return [str(value.get(i, i)) for i in range(max(value) + 1)]
        if isinstance(value, (list, tuple)) and value:
            return [str(v) for v in value]
        raise ModelError(f"{model_path}: metadata 'names' is not a class list: {text[:80]!r}",
                         "an ultralytics export stores names as {0: 'person', ...}")
    rows = output_shape[1] if len(output_shape) == 3 and isinstance(output_shape[1], int) else None
    if rows == 5 and what:
        return [what]
    raise ModelError(f"{model_path}: the model names no classes (no 'names' metadata)",
                     "export the detector with ultralytics, which writes its class names into the ONNX metadata")


def meta_float(meta: dict, key: str, default: float) -> float:
    try:
        return float(meta[key])
    except (KeyError, ValueError):
        return default
