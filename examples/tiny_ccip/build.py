"""Build the tiny identity model: the deepghs CCIP contract (feature + metric ONNX models, metrics.json, cluster.json).

    .venv/bin/python examples/tiny_ccip/build.py        # writes model_feat.onnx, model_metrics.onnx, *.json here

No training: the feature model is a hand-built graph of colour statistics. It undoes CCIP's CLIP normalisation,
measures how much of the picture lies near each palette colour (a soft colour histogram that ignores white, black
and grey backgrounds), normalises that histogram to unit length and spreads it over 768 dimensions with a fixed
orthonormal projection, so cosines between features are cosines between palettes. In the sample, a character is
its palette: blobby is purple, sunny is yellow, the outfits are red and blue.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
SIZE = 384                 # CCIP's input side
WIDTH = 768                # CCIP's feature width
MEAN = (0.48145466, 0.4578275, 0.40821073)   # the CLIP statistics CCIP's preprocessing normalises with
STD = (0.26862954, 0.26130258, 0.27577711)
PALETTE = {  # 0..1 RGB; the scene colours of examples/tiny_tagger/scenes.py
    "red": (220, 35, 35), "blue": (35, 70, 225), "green": (40, 170, 60), "yellow": (245, 205, 30),
    "purple": (150, 70, 200),
}
RADIUS = 0.30              # how far (0..1 RGB distance) a pixel may be from a palette colour and still count
THRESHOLD = 0.15           # difference at or below which two pictures show the same character
CLUSTER = {"dbscan": {"eps": 0.15, "min_samples": 2}, "optics": {"eps": 0.15, "min_samples": 2}}


def feature_graph():
    from onnx import TensorProto, helper, numpy_helper

    colors = np.array(list(PALETTE.values()), np.float32) / 255.0            # K x 3
    k = len(colors)
    rng = np.random.default_rng(20)
    q, _ = np.linalg.qr(rng.standard_normal((WIDTH, k)))                     # 768 x K, orthonormal columns
    projection = (q.T * 4.0).astype(np.float32)                              # K x 768: a CCIP-like norm
    inits = [
        numpy_helper.from_array(np.array(STD, np.float32).reshape(1, 3, 1, 1), "std"),
        numpy_helper.from_array(np.array(MEAN, np.float32).reshape(1, 3, 1, 1), "mean"),
        # |x - c|^2 = |x|^2 - 2 x.c + |c|^2: a 1x1 convolution gives -2 x.c + |c|^2 per colour
        numpy_helper.from_array((-2.0 * colors).reshape(k, 3, 1, 1), "conv_w"),
        numpy_helper.from_array((colors ** 2).sum(1).astype(np.float32), "conv_b"),
        numpy_helper.from_array(np.array([1.0 / RADIUS ** 2], np.float32), "inv_r2"),
        numpy_helper.from_array(np.array([1.0], np.float32), "one"),
        numpy_helper.from_array(np.array([1e-6], np.float32), "eps"),
        numpy_helper.from_array(np.array([1], np.int64), "axis1"),
        numpy_helper.from_array(projection, "projection"),
    ]
    nodes = [
        helper.make_node("Mul", ["input", "std"], ["scaled"]),
        helper.make_node("Add", ["scaled", "mean"], ["rgb"]),                 # back to 0..1 RGB
        helper.make_node("Mul", ["rgb", "rgb"], ["rgb2"]),
        helper.make_node("ReduceSum", ["rgb2", "axis1"], ["norm2"], keepdims=1),
        helper.make_node("Conv", ["rgb", "conv_w", "conv_b"], ["cross"]),
        helper.make_node("Add", ["cross", "norm2"], ["dist2"]),              # N x K x H x W
        helper.make_node("Mul", ["dist2", "inv_r2"], ["rel"]),
        helper.make_node("Sub", ["one", "rel"], ["near"]),
        helper.make_node("Relu", ["near"], ["member"]),
        helper.make_node("GlobalAveragePool", ["member"], ["pooled"]),
        helper.make_node("Flatten", ["pooled"], ["hist"], axis=1),            # N x K
        helper.make_node("ReduceL2", ["hist", "axis1"], ["length"], keepdims=1),
        helper.make_node("Add", ["length", "eps"], ["safe_length"]),
        helper.make_node("Div", ["hist", "safe_length"], ["unit"]),
        helper.make_node("MatMul", ["unit", "projection"], ["output"]),
    ]
    graph = helper.make_graph(
        nodes, "tiny_ccip_feat",
        [helper.make_tensor_value_info("input", TensorProto.FLOAT, ["batch", 3, SIZE, SIZE])],
        [helper.make_tensor_value_info("output", TensorProto.FLOAT, ["batch", WIDTH])], inits)
    return _model(graph)


def metric_graph():
    """(N, 768) features -> (N, N) differences: (1 - cosine) / 2, the shape of CCIP's own metric output."""
    from onnx import TensorProto, helper, numpy_helper

    inits = [numpy_helper.from_array(np.array([1], np.int64), "axis1"),
             numpy_helper.from_array(np.array([1e-6], np.float32), "eps"),
             numpy_helper.from_array(np.array([0.5], np.float32), "half")]
    nodes = [
        helper.make_node("ReduceL2", ["input", "axis1"], ["length"], keepdims=1),
        helper.make_node("Add", ["length", "eps"], ["safe"]),
        helper.make_node("Div", ["input", "safe"], ["unit"]),
        helper.make_node("Transpose", ["unit"], ["unit_t"], perm=[1, 0]),
        helper.make_node("MatMul", ["unit", "unit_t"], ["cosine"]),
        helper.make_node("Mul", ["cosine", "half"], ["half_cos"]),
        helper.make_node("Sub", ["half", "half_cos"], ["output"]),
    ]
    graph = helper.make_graph(
        nodes, "tiny_ccip_metrics",
        [helper.make_tensor_value_info("input", TensorProto.FLOAT, ["n", WIDTH])],
        [helper.make_tensor_value_info("output", TensorProto.FLOAT, ["n", "n"])], inits)
    return _model(graph)


def _model(graph):
    import onnx
    from onnx import helper

    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 18)], producer_name="loraprep-tiny-ccip")
    model.ir_version = 8
    onnx.checker.check_model(model)
    return model


def main() -> None:
    import onnx

    onnx.save(feature_graph(), HERE / "model_feat.onnx")
    onnx.save(metric_graph(), HERE / "model_metrics.onnx")
    (HERE / "metrics.json").write_text(json.dumps({"threshold": THRESHOLD}, indent=2) + "\n", encoding="utf-8")
    (HERE / "cluster.json").write_text(json.dumps(CLUSTER, indent=2) + "\n", encoding="utf-8")
    print(f"wrote the tiny CCIP model to {HERE}")


if __name__ == "__main__":
    main()
