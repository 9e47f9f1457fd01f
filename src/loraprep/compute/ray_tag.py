"""Tagging on Ray Data: CPU tasks decode and prepare each batch, an actor pool (one ONNX session per actor) scores
it, the results stream back to the driver. The per-batch work is the local engine's (tagging/pipeline.py)."""

from __future__ import annotations

import pickle
from dataclasses import dataclass, replace
from typing import Iterator, Sequence

import numpy as np

from loraprep.compute import ray_data
from loraprep.errors import ClusterError, ModelError


@dataclass(frozen=True)
class ActorPlan:
    """How many inference actors, and what each reserves."""

    count: int
    num_cpus: float
    num_gpus: float


def plan_actors(cluster_cpus: float, cluster_gpus: float, nodes: int, gpus_per_worker: float) -> ActorPlan:
    """One actor per ``gpus_per_worker`` GPUs, holding one CPU to feed its GPU. Without GPUs, one actor per node
    that reserves no CPU: its ONNX session uses every core of the node, as the local engine's does, and the decode
    tasks may take every core too; when the model is the slower stage, Ray's backpressure idles the decoding
    (pure)."""
    if gpus_per_worker > 0:
        count = int(cluster_gpus // gpus_per_worker)
        if count < 1:
            raise ClusterError(f"--gpus-per-worker {gpus_per_worker:g} asked for, but the cluster has "
                               f"{cluster_gpus:g} GPU(s)", "leave out --gpus-per-worker to run inference on CPUs, "
                                                           "or add GPU worker nodes")
        return ActorPlan(count, 1, gpus_per_worker)
    if cluster_cpus < 1:
        raise ClusterError("the Ray cluster has no CPU to decode images on", "start Ray with --num-cpus 1 or more")
    return ActorPlan(max(1, nodes), 0, 0)


def batch_size_for(tagger, batch_size: int | None, gpus_per_worker: float) -> int:
    """The --batch given, else the local engine's choice for the provider the workers will use."""
    from loraprep.tagging.pipeline import choose_batch_size
    from loraprep.inference.session import cpu_threads

    if batch_size:
        size = int(batch_size)
    elif tagger.fixed_batch:
        size = tagger.fixed_batch
    else:
        provider = "CUDAExecutionProvider" if gpus_per_worker > 0 else "CPUExecutionProvider"
        size = choose_batch_size(provider, tagger.input_size, cpu_threads())
    if tagger.fixed_batch and size != tagger.fixed_batch:
        raise ModelError(f"{tagger.key} only accepts batches of {tagger.fixed_batch}",
                         f"use --batch {tagger.fixed_batch}")
    return size


def tag_on_ray(ray, tagger, items: Sequence[tuple[str, str]], *, batch_size: int | None, device: str | None,
               gpus_per_worker: float, min_score: float) -> Iterator[list]:
    """Lists of TagResult, one per batch, as the workers finish them (not in input order)."""
    if not items:
        return
    bs = batch_size_for(tagger, batch_size, gpus_per_worker)
    resources = ray.cluster_resources()
    nodes = sum(1 for n in ray.nodes() if n.get("Alive"))
    plan = plan_actors(resources.get("CPU", 0), resources.get("GPU", 0), nodes, gpus_per_worker)
    # the workers need not see the driver's disk; wrapped so that Ray passes the reference, not a restart hazard
    model = {"ref": ray.put(tagger.model_path.read_bytes())}
    rows = ray_data.dataset(ray, ray_data.chunks(items, bs), bs)
    # Declaring the decode tasks' memory also keeps Ray Data from fusing them into the actors (their remote
    # arguments differ): decoding runs in CPU tasks anywhere in the cluster, the actors only run the model.
    decoded = rows.map(_decode_row, fn_kwargs={"size": tagger.input_size}, num_cpus=1,
                       memory=decode_memory(bs, tagger.input_size))
    scored = decoded.map(_TagWorker, fn_constructor_kwargs={"files": tagger.files, "model": model,
                                                            "vocabulary": tagger.vocabulary,
                                                            "device": device or "auto", "min_score": min_score},
                         compute=ray.data.ActorPoolStrategy(size=plan.count), num_cpus=plan.num_cpus,
                         num_gpus=plan.num_gpus)
    for row in scored.iter_rows():
        yield pickle.loads(row["results"])


DECODE_HEADROOM = 256 << 20   # one large source picture decoded at full size (about 80 megapixels of RGB)


def decode_memory(batch: int, size: int) -> int:
    """Bytes one decode task holds: its prepared batch (float32, then uint8) and one picture being decoded (pure)."""
    return batch * size * size * 3 * 5 + DECODE_HEADROOM


def _decode_row(row: dict, size: int) -> dict:
    """On a CPU worker: decode and prepare one batch. Pixels travel as uint8 (the prepared floats are whole
    numbers 0..255), a quarter of float32's bytes."""
    from loraprep.tagging.pipeline import prepare_item

    keys, locations = list(row["keys"]), list(row["locations"])
    errors, arrays = [], []
    for location in locations:
        array, error = prepare_item(location, size)
        errors.append(error or "")
        if error is None:
            arrays.append(array.astype(np.uint8))
    pixels = np.stack(arrays).tobytes() if arrays else b""
    return {"keys": keys, "errors": errors, "pixels": pixels}


class _TagWorker:
    """One ONNX session, on the GPU(s) Ray gave this actor or on the node's CPUs."""

    def __init__(self, files, model, vocabulary, device: str, min_score: float):
        import tempfile
        from pathlib import Path

        import ray

        from loraprep.tagging.loader import MODEL_FILE
        from loraprep.tagging.pipeline import Tagger

        data = ray.get(model["ref"])
        self._folder = tempfile.TemporaryDirectory(prefix="loraprep-model-")
        path = Path(self._folder.name) / MODEL_FILE
        path.write_bytes(data)
        here = replace(files, paths={**files.paths, MODEL_FILE: path})   # name and revision stay the driver's
        self.tagger = Tagger(here, [tuple(v) for v in vocabulary], device)
        self.device = device
        self.min_score = min_score

    def __call__(self, row: dict) -> dict:
        from loraprep.tagging.pipeline import score_batch

        size = self.tagger.input_size
        errors = list(row["errors"])
        good = sum(1 for e in errors if not e)
        pixels = np.frombuffer(row["pixels"], dtype=np.uint8).reshape(good, size, size, 3).astype(np.float32)
        arrays = iter(pixels)
        chunk = [(key, None, error) if error else (key, next(arrays), None)
                 for key, error in zip(row["keys"], errors)]
        results = score_batch(self.tagger, chunk, self.device, self.min_score)
        return {"results": pickle.dumps(results, protocol=pickle.HIGHEST_PROTOCOL)}
