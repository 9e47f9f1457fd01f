"""Build examples/tiny_detector/model.onnx: a hand-made ONNX graph with a YOLOv8 detector's exact contract that
finds the sample's drawn characters (blobby) by colour, so detection tests can check boxes against ground truth.

    .venv/bin/python examples/tiny_detector/build.py        # (re)writes model.onnx deterministically

Contract (as deepghs' anime_*_detection exports, read the way imgutils' generic YOLO reader reads them): input
``images`` (batch, 3, 256, 256) float32 RGB 0..1; output ``output0`` (batch, 4 + 1, anchors) rows cx, cy, w, h
(input pixels) and the class score; metadata ``names`` "{0: 'person'}", ``imgsz`` "[256, 256]", ``stride``, ``task``.

How it computes: a pixel belongs to a figure when its colour is near blobby's body colour (a mask); four maps
hold x+1, S-x, y+1, S-y on the mask; repeated masked max-pooling spreads each figure's extremes over the figure
(flood fill by dilation inside the mask); every 8x8 cell reads the box of the figure under its centre, scored by
how much of the cell is figure and how large the figure is. Class-aware NMS outside the model merges the cells.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
SIZE = 256
CELL = 8
BODY = (150, 70, 200)      # examples/tiny_tagger/scenes.py BLOBBY_BODY
TOLERANCE = 0.17           # per channel, 0..1: survives JPEG at quality 85 and bilinear edges
STEPS = 56                 # dilation rounds of 4 px: enough to cross the largest figure the sample draws
MIN_SIDE = 0.08            # figures under ~8% of the input per side score low (specks of that colour)


def build():
    import onnx
    from onnx import TensorProto, helper, numpy_helper

    nodes, inits = [], []

    def const(name, value, dtype=np.float32):
        inits.append(numpy_helper.from_array(np.asarray(value, dtype=dtype), name))
        return name

    def node(op, inputs, output, **attrs):
        nodes.append(helper.make_node(op, inputs, [output], **attrs))
        return output

    nodes.append(helper.make_node("Split", ["images", const("split3", [1, 1, 1], np.int64)], ["r", "g", "b"],
                                  axis=1))
    near = []
    for channel, target in zip("rgb", BODY):
        diff = node("Abs", [node("Sub", [channel, const(f"t_{channel}", target / 255)], f"d_{channel}")],
                    f"a_{channel}")
        near.append(node("Less", [diff, const(f"tol_{channel}", TOLERANCE)], f"n_{channel}"))
    both = node("And", near[:2], "n_rg")
    mask = node("Cast", [node("And", [both, near[2]], "n_rgb")], "mask", to=TensorProto.FLOAT)

    xs = np.arange(SIZE, dtype=np.float32)
    coords = np.stack([np.broadcast_to(xs + 1, (SIZE, SIZE)), np.broadcast_to(SIZE - xs, (SIZE, SIZE)),
                       np.broadcast_to((xs + 1)[:, None], (SIZE, SIZE)),
                       np.broadcast_to((SIZE - xs)[:, None], (SIZE, SIZE))])[None]
    value = node("Mul", [const("coords", coords), mask], "v0")
    for step in range(STEPS):
        wide = node("MaxPool", [value], f"pw{step}", kernel_shape=[1, 9], pads=[0, 4, 0, 4], strides=[1, 1])
        tall = node("MaxPool", [wide], f"pt{step}", kernel_shape=[9, 1], pads=[4, 0, 4, 0], strides=[1, 1])
        value = node("Mul", [tall, mask], f"v{step + 1}")

    half = CELL // 2
    starts, ends = const("s_start", [half, half], np.int64), const("s_end", [SIZE, SIZE], np.int64)
    axes, steps = const("s_axes", [2, 3], np.int64), const("s_steps", [CELL, CELL], np.int64)
    cells = node("Slice", [value, starts, ends, axes, steps], "cells")              # (B, 4, G, G)
    centre = node("Slice", [mask, starts, ends, axes, steps], "centre")             # (B, 1, G, G)
    share = node("AveragePool", [mask], "share", kernel_shape=[CELL, CELL], strides=[CELL, CELL])
    parts = ["x1", "xn", "y1", "yn"]
    nodes.append(helper.make_node("Split", [cells, const("split4", [1, 1, 1, 1], np.int64)], parts, axis=1))
    side = const("side", float(SIZE))
    x0, y0 = node("Sub", [side, "xn"], "x0"), node("Sub", [side, "yn"], "y0")
    w, h = node("Sub", ["x1", x0], "w"), node("Sub", ["y1", y0], "h")
    two = const("two", 2.0)
    cx = node("Div", [node("Add", [x0, "x1"], "sx"), two], "cx")
    cy = node("Div", [node("Add", [y0, "y1"], "sy"), two], "cy")
    small = const("min_area", (MIN_SIDE * SIZE) ** 2)
    size_term = node("Clip", [node("Div", [node("Mul", [w, h], "wh"), small], "area_ratio"),
                              const("zero", 0.0), const("one", 1.0)], "size_term")
    score = node("Mul", [node("Mul", [share, centre], "inside"), size_term], "score")
    stacked = node("Concat", [cx, cy, w, h, score], "stacked", axis=1)               # (B, 5, G, G)
    node("Reshape", [stacked, const("flat", [0, 5, -1], np.int64)], "output0")

    anchors = (SIZE // CELL) ** 2
    graph = helper.make_graph(
        nodes, "tiny_detector",
        [helper.make_tensor_value_info("images", TensorProto.FLOAT, ["batch", 3, SIZE, SIZE])],
        [helper.make_tensor_value_info("output0", TensorProto.FLOAT, ["batch", 5, anchors])], inits)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)], producer_name="loraprep")
    model.ir_version = 8
    for key, val in {"names": "{0: 'person'}", "imgsz": f"[{SIZE}, {SIZE}]", "stride": "32", "task": "detect",
                     "description": "loraprep tiny demo detector (finds the sample's drawn characters)",
                     "batch": "1"}.items():
        entry = model.metadata_props.add()
        entry.key, entry.value = key, val
    onnx.checker.check_model(model)
    return model


def main() -> None:
    out = Path(sys.argv[1]) if len(sys.argv) > 1 else HERE
    out.mkdir(parents=True, exist_ok=True)
    data = build().SerializeToString()
    (out / "model.onnx").write_bytes(data)
    print(f"wrote {out / 'model.onnx'} ({len(data) / 1e6:.2f} MB)")


if __name__ == "__main__":
    main()
