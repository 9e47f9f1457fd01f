"""The only onnxruntime import: provider choice, session options for the machine, graph metadata."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from loraprep.errors import ModelError

# Order of preference when device is "auto". TensorRT is opt-in (device="tensorrt"): building its engine
# for a large ViT takes minutes on first use, which is not what "auto" should ever do silently.
_AUTO_ORDER = ("CUDAExecutionProvider", "CoreMLExecutionProvider", "DmlExecutionProvider")
_BY_DEVICE = {
    "cuda": ("CUDAExecutionProvider",),
    "tensorrt": ("TensorrtExecutionProvider", "CUDAExecutionProvider"),
    "coreml": ("CoreMLExecutionProvider",),
    "directml": ("DmlExecutionProvider",),
    "cpu": (),
}
DEVICES = ("auto", *_BY_DEVICE)


@dataclass(frozen=True)
class GraphInfo:
    """What the pipeline needs to know about a model's graph."""

    input_name: str
    input_shape: tuple  # ints, or str/None for symbolic dimensions
    input_type: str     # "tensor(float)" or "tensor(float16)"
    output_name: str
    output_shape: tuple


def _ort():
    try:
        import onnxruntime
    except ImportError as exc:  # pragma: no cover - onnxruntime is a core dependency
        raise ModelError("onnxruntime is not installed", "pip install onnxruntime (or onnxruntime-gpu)") from exc
    return onnxruntime


def available_providers() -> list[str]:
    return list(_ort().get_available_providers())


def choose_providers(device: str, available: list[str]) -> list[str]:
    """Execution providers for a device choice, best first, always ending with CPU (pure)."""
    device = (device or "auto").lower()
    if device not in DEVICES:
        raise ModelError(f"unknown device {device!r}", f"use one of: {', '.join(DEVICES)}")
    if device == "auto":
        wanted = [p for p in _AUTO_ORDER if p in available][:1]
    else:
        wanted = [p for p in _BY_DEVICE[device] if p in available]
        if _BY_DEVICE[device] and not wanted:
            raise ModelError(f"device {device!r} asked for, but onnxruntime has no {_BY_DEVICE[device][0]}",
                             "install onnxruntime-gpu (pip install 'loraprep[gpu]') with a matching CUDA, "
                             "or use --device cpu")
    return [*wanted, "CPUExecutionProvider"]


def cpu_threads() -> int:
    """Threads for one inference: every core this process may use."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # macOS, Windows
        return max(1, os.cpu_count() or 1)


def open_session(model_path: Path, device: str = "auto"):
    """An InferenceSession on the best provider for ``device``, tuned for this machine."""
    ort = _ort()
    providers = choose_providers(device, available_providers())
    options = ort.SessionOptions()
    options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    options.intra_op_num_threads = cpu_threads()
    options.inter_op_num_threads = 1
    options.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
    # Spinning stays on (ONNX Runtime's default): with it off, inference ran about 15% slower on 2 cores
    # (benchmarks/tagging.py, batch 1: 0.73 vs 0.86 img/s) and no faster end to end on 16.
    options.log_severity_level = 3
    try:
        return ort.InferenceSession(str(model_path), sess_options=options, providers=providers)
    except Exception as exc:  # onnxruntime raises its own untyped errors for bad files
        first_line = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
        raise ModelError(f"cannot load ONNX model {model_path}: {first_line[:300]}",
                         "the file is not a valid ONNX model; download it again or point --model at another folder") from exc


def graph_info(session) -> GraphInfo:
    inputs, outputs = session.get_inputs(), session.get_outputs()
    if len(inputs) != 1 or not outputs:
        raise ModelError(f"expected a model with one image input and one output, got {len(inputs)} inputs "
                         f"and {len(outputs)} outputs", "use a WD tagger ONNX model (model.onnx)")
    return GraphInfo(inputs[0].name, tuple(inputs[0].shape), inputs[0].type, outputs[0].name, tuple(outputs[0].shape))


def active_provider(session) -> str:
    return session.get_providers()[0]


def model_metadata(session) -> dict[str, str]:
    """The model's custom metadata (an ultralytics export keeps ``names``, ``imgsz``, ``stride``, ``task`` there)."""
    try:
        return dict(session.get_modelmeta().custom_metadata_map or {})
    except Exception:  # noqa: BLE001 - a graph without metadata has none to give
        return {}
