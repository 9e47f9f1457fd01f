"""Classify benchmark: CCIP embedding end to end vs the model-bound rate, and re-classifying stored embeddings.

    .venv/bin/python benchmarks/classify.py                          # CPU, 32 images x 3 rounds, 10,000 embeddings
    .venv/bin/python benchmarks/classify.py --images 400 --layers 12 --device cuda

1. Embedding. The stand-in has CCIP's contract (NCHW 384 px, CLIP mean/std, 768 outputs) and a CCIP-like cost:
   a 16 px patch embedding and --layers MLP blocks of width 768/3072 over the 576 tokens (random weights, built
   with onnx into --out). The model-bound rate is session.run on ready batches; end to end is
   identity.embedder.embed_files on 640-1024 px JPEG/PNG files (decode, RGB, stretch, normalise, overlapped).
2. Classifying. 10,000 stored 768-d embeddings (80% near one of 20 characters with 5 references each, the rest
   from 12 unnamed characters and noise) in a dataset store: ops.classify.decide (read from the store, metric
   model against the references, DBSCAN over the rest) vs re-embedding them at the model-bound rate of part 1.
"""

from __future__ import annotations

import argparse
import json
import random
import shutil
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import machine  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
TINY = ROOT / "examples" / "tiny_ccip"


def build_stand_in(folder: Path, layers: int) -> Path:
    """model_feat.onnx with CCIP's input/output and a ViT-like MLP cost; the tiny model's metric and json."""
    import onnx
    from onnx import TensorProto, helper, numpy_helper

    folder.mkdir(parents=True, exist_ok=True)
    for name in ("model_metrics.onnx", "metrics.json", "cluster.json"):
        shutil.copy(TINY / name, folder / name)
    rng = np.random.default_rng(0)
    init = [numpy_helper.from_array((rng.standard_normal((768, 3, 16, 16)) * 0.02).astype(np.float32), "patch"),
            numpy_helper.from_array(np.array([0, 768, -1], np.int64), "tokens_shape"),
            numpy_helper.from_array(np.array([2], np.int64), "axis2")]
    nodes = [helper.make_node("Conv", ["input", "patch"], ["p"], strides=[16, 16]),
             helper.make_node("Reshape", ["p", "tokens_shape"], ["t"]),
             helper.make_node("Transpose", ["t"], ["x0"], perm=[0, 2, 1])]
    for i in range(layers):
        init += [numpy_helper.from_array((rng.standard_normal((768, 3072)) * 0.02).astype(np.float32), f"w{i}a"),
                 numpy_helper.from_array((rng.standard_normal((3072, 768)) * 0.02).astype(np.float32), f"w{i}b")]
        nodes += [helper.make_node("MatMul", [f"x{i}", f"w{i}a"], [f"h{i}"]),
                  helper.make_node("Relu", [f"h{i}"], [f"r{i}"]),
                  helper.make_node("MatMul", [f"r{i}", f"w{i}b"], [f"m{i}"]),
                  helper.make_node("Add", [f"x{i}", f"m{i}"], [f"x{i + 1}"])]
    nodes.append(helper.make_node("ReduceMean", [f"x{layers}", "axis1"], ["output"], keepdims=0))
    init.append(numpy_helper.from_array(np.array([1], np.int64), "axis1"))
    graph = helper.make_graph(nodes, "ccip_stand_in",
                              [helper.make_tensor_value_info("input", TensorProto.FLOAT, ["batch", 3, 384, 384])],
                              [helper.make_tensor_value_info("output", TensorProto.FLOAT, ["batch", 768])], init)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 18)])
    model.ir_version = 8
    onnx.save(model, folder / "model_feat.onnx")
    return folder


def make_images(folder: Path, count: int) -> list[Path]:
    from PIL import Image

    folder.mkdir(parents=True, exist_ok=True)
    paths, rng = [], random.Random(1)
    for i in range(count):
        w, h = rng.randint(640, 1024), rng.randint(640, 1024)
        path = folder / f"{i:05d}.{'png' if i % 5 == 0 else 'jpg'}"
        if not path.exists():
            base = np.random.default_rng(i).integers(0, 255, (h // 8, w // 8, 3), np.uint8)
            Image.fromarray(base).resize((w, h), Image.BILINEAR).save(path, quality=90)
        paths.append(path)
    return paths


def embedding(args, out: Path) -> dict:
    from loraprep.identity.embedder import embed_files, load_embedder
    from loraprep.identity.preprocess import load_tensor

    embedder = load_embedder(str(build_stand_in(out / f"stand_in_{args.layers}", args.layers)), device=args.device)
    paths = make_images(out / "images", args.images)
    batch = args.batch or embedder.batch_size()
    ready = np.stack([load_tensor(p, 384) for p in paths[:batch]])
    embedder.embed_batch(ready)  # warm-up
    model_rates, end_rates = [], []
    for _ in range(args.rounds):  # alternated, best of each: a busy neighbour slows one round, not one side
        start, done = time.perf_counter(), 0
        while done < len(paths):
            embedder.embed_batch(ready)
            done += batch
        model_rates.append(done / (time.perf_counter() - start))
        start = time.perf_counter()
        rows = list(embed_files(embedder, [(str(p), p) for p in paths], batch_size=batch))
        end_rates.append(len(rows) / (time.perf_counter() - start))
        assert all(e is None for _, _, e in rows)
    model_rate, end_to_end = max(model_rates), max(end_rates)
    return {"provider": embedder.features.get_providers()[0], "batch": batch, "images": len(paths),
            "model_bound_img_s": round(model_rate, 2), "end_to_end_img_s": round(end_to_end, 2),
            "ratio": round(end_to_end / model_rate, 3),
            "rounds": [[round(m, 3), round(e, 3)] for m, e in zip(model_rates, end_rates)]}


def classifying(args, out: Path, model_rate: float) -> dict:
    from loraprep.identity.embedder import load_embedder
    from loraprep.identity.refs import Reference
    from loraprep.ops.classify import decide
    from loraprep.store import embeddings
    from loraprep.store.db import open_store

    root = out / "store"
    shutil.rmtree(root, ignore_errors=True)
    root.mkdir(parents=True)
    rng = np.random.default_rng(7)
    named, unnamed = rng.standard_normal((20, 768)), rng.standard_normal((12, 768))
    vectors, truth = [], []
    for i in range(args.embeddings):
        if i % 5 != 4:
            k = i % 20
            vectors.append(named[k] + rng.standard_normal(768) * 0.25)
            truth.append(f"char{k:02d}")
        else:
            k = (i // 5) % 13
            vectors.append((unnamed[k] if k < 12 else rng.standard_normal(768)) + rng.standard_normal(768) * 0.25)
            truth.append(None)
    ids = [f"{i:064x}" for i in range(args.embeddings)]
    refs = [Reference(f"char{k:02d}", f"r{k:02d}{j}".ljust(64, "0"), Path("-")) for k in range(20) for j in range(5)]
    ref_vectors = [named[int(r.character[4:])] + rng.standard_normal(768) * 0.25 for r in refs]
    embedder = load_embedder(str(TINY), device="cpu")
    with open_store(root, create=True) as store:
        with store.write() as conn:
            embeddings.write_embeddings(conn, embedder.key, zip(ids, np.asarray(vectors, np.float32)))
            embeddings.write_embeddings(conn, embedder.key, zip([r.image_id for r in refs],
                                                                np.asarray(ref_vectors, np.float32)))
        start = time.perf_counter()
        result = decide(store, embedder, ids, refs)
        seconds = time.perf_counter() - start
    right = sum(1 for i, t in zip(ids, truth) if t is not None and result[i] == t)
    wrong = sum(1 for i, t in zip(ids, truth) if t is not None and result[i] != t)
    clusters = {v for v in result.values() if v.startswith("unknown-")}
    return {"embeddings": args.embeddings, "characters": 20, "references": len(refs), "seconds": round(seconds, 3),
            "named_right": right, "named_wrong": wrong, "unknown_clusters": len(clusters),
            "re_embedding_seconds_at_model_rate": round(args.embeddings / model_rate, 1)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--images", type=int, default=32)
    parser.add_argument("--embeddings", type=int, default=10_000)
    parser.add_argument("--layers", type=int, default=2, help="MLP blocks of the stand-in (cost per image)")
    parser.add_argument("--batch", type=int, default=None)
    parser.add_argument("--rounds", type=int, default=3, help="alternated model-bound / end-to-end rounds")
    parser.add_argument("--device", default="cpu")
    parser.add_argument("--out", type=Path, default=Path("/tmp/loraprep-bench-classify"))
    args = parser.parse_args()
    print(machine(), file=sys.stderr)
    embed = embedding(args, args.out)
    print(json.dumps({"embedding": embed}), file=sys.stderr)
    classify = classifying(args, args.out, embed["model_bound_img_s"])
    print(json.dumps({"machine": machine(), "embedding": embed, "classifying": classify,
                      "command": " ".join([Path(sys.executable).name, *sys.argv])}, indent=2))


if __name__ == "__main__":
    main()
