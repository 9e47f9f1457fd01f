"""Ray engine vs local engine: tag and dedup's describing pass on the same images and model, in one run.

    .venv/bin/pip install -e '.[ray]'
    .venv/bin/python benchmarks/scale_engine.py --images 400                       # tiny tagger: decode-bound
    .venv/bin/python benchmarks/scale_engine.py --images 200 --model DIR --device cuda --gpus-per-worker 1

The images are benchmarks/tagging.py's generated 640-1024 px JPEG/PNG photos-like pictures (cached in --out). The
dataset is scanned once; before every timed run its store is put back to that state, so each run tags (or
describes) every image. Runs alternate local, ray, local, ray ... (--repeat times each) in this one process, against
one Ray cluster started on this machine (--cpus CPUs) before the timing; the best of each is reported, with the
stored results of both checked to be identical. The lead joins this with the store figures as
`benchmarks/scale.py --part engine`: the entry point is run(args).
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import machine  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--images", type=int, default=400)
    p.add_argument("--model", default=str(ROOT / "examples" / "tiny_tagger"), help="a WD-style model folder")
    p.add_argument("--device", default="cpu")
    p.add_argument("--batch", type=int, default=None, help="batch size (default: the engines' choice)")
    p.add_argument("--gpus-per-worker", type=float, default=0)
    p.add_argument("--cpus", type=int, default=None, help="CPUs of the Ray cluster started here (default: all)")
    p.add_argument("--repeat", type=int, default=2)
    p.add_argument("--stages", default="tag,describe")
    p.add_argument("--prepare-size", type=int, default=448,
                   help="model input size for the one-core decode+prepare rate (448: the WD taggers)")
    p.add_argument("--out", default=str(ROOT / "bench-data" / "scale_engine"), help="cache of images and state")
    return p


def _prepare(out: Path, count: int) -> tuple[Path, Path]:
    from tagging import build_images

    from loraprep import ops

    dataset = out / f"set_{count}"
    build_images(dataset / "photos", count)
    pristine = out / f"state_{count}.sqlite"
    if not pristine.exists():
        ops.scan(dataset)
        shutil.copyfile(dataset / ".loraprep" / "state.sqlite", pristine)
    return dataset, pristine


def _reset(dataset: Path, pristine: Path) -> None:
    """Back to the scanned state: nothing tagged, nothing described (no loraprep process has it open)."""
    state = dataset / ".loraprep"
    for suffix in ("-wal", "-shm"):
        (state / f"state.sqlite{suffix}").unlink(missing_ok=True)
    shutil.copyfile(pristine, state / "state.sqlite")


def _timed_stage(stage: str, dataset: Path, args, engine: str) -> tuple[float, int, dict]:
    """Wall seconds, images done, and when the results came: the first one, and the rate from then on (the
    engine's start-up, paid once per run, apart from its throughput)."""
    from loraprep import ops

    extra = {"address": None, "gpus_per_worker": args.gpus_per_worker} if engine == "ray" else {}
    seen: list[tuple[float, int]] = []
    start = time.perf_counter()

    def progress(done: int, total: int) -> None:
        seen.append((time.perf_counter() - start, done))

    if stage == "tag":
        report = ops.tag(dataset, model=args.model, device=args.device, batch_size=args.batch, engine=engine,
                         progress=progress, **extra)
        done = report["tagged"]
    else:
        report = ops.dedup(dataset, dry_run=True, engine=engine, progress=progress, **extra)
        done = report["images"]
    wall = time.perf_counter() - start
    (t0, n0), (t1, n1) = seen[0], seen[-1]
    flow = {"first_result_s": round(t0, 2), "steady_img_per_s": round((n1 - n0) / (t1 - t0), 1) if t1 > t0 else None}
    return wall, done, flow


def _stored(dataset: Path, stage: str) -> dict:
    from loraprep.dedup.descriptor import VERSION
    from loraprep.store import dedup as dedup_rows
    from loraprep.store import tags as tag_rows
    from loraprep.store.db import open_store

    with open_store(dataset) as store:
        if stage == "describe":
            return dedup_rows.load_descriptors(store.conn, VERSION)
        model = tag_rows.models_used(store.conn)[0]
        return {k: list(v) for k, v in tag_rows.load_scores(store.conn, model).items()}


def prepare_rate(dataset: Path, size: int, count: int = 60) -> float:
    """Images per second one core decodes and prepares for a ``size`` px tagger: the CPU a GPU worker needs."""
    from loraprep.tagging.pipeline import prepare_item

    paths = sorted((dataset / "photos").iterdir())[:count]
    start = time.perf_counter()
    for path in paths:
        prepare_item(str(path), size)
    return len(paths) / (time.perf_counter() - start)


def driver_write_rate(out: Path, images: int = 20000, tags: int = 40) -> float:
    """Images per second the driver stores through the tag command's own commit (scores of ``tags`` tags each,
    COMMIT_EVERY per transaction): the ceiling of any number of GPUs behind one driver."""
    from loraprep.ops.tag import COMMIT_EVERY, _commit
    from loraprep.store.db import open_store
    from loraprep.tagging.pipeline import TagResult

    folder = out / "driver_writes"
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    scores = [(f"tag_{t}", "general", 0.9 - t / 100) for t in range(tags)]
    counts = {"tagged": 0}
    with open_store(folder, create=True) as store:
        start = time.perf_counter()
        for first in range(0, images, COMMIT_EVERY):
            pending = [TagResult(f"{i:064x}", scores) for i in range(first, min(images, first + COMMIT_EVERY))]
            _commit(store, "bench@1", pending, counts)
        return counts["tagged"] / (time.perf_counter() - start)


def run(args) -> dict:
    import ray

    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    dataset, pristine = _prepare(out, args.images)
    one_core = prepare_rate(dataset, args.prepare_size)
    writes = driver_write_rate(out)
    start = time.perf_counter()
    ray.init(num_cpus=args.cpus, include_dashboard=False, log_to_driver=False, logging_level="ERROR")
    ray_start = time.perf_counter() - start
    resources = ray.cluster_resources()
    results = {"machine": machine(), "images": args.images, "model": args.model, "device": args.device,
               "batch": args.batch, "ray_cluster": {"CPU": resources.get("CPU"), "GPU": resources.get("GPU", 0)},
               "ray_init_s": round(ray_start, 2), "ray_version": ray.__version__,
               f"prepare_{args.prepare_size}px_img_per_s_one_core": round(one_core, 1),
               "driver_store_writes_img_per_s": round(writes), "stages": {}}
    try:
        for stage in args.stages.split(","):
            best = {"local": float("inf"), "ray": float("inf")}
            stored, flows = {}, {}
            for _ in range(args.repeat):
                for engine in ("local", "ray"):
                    _reset(dataset, pristine)
                    seconds, done, flow = _timed_stage(stage, dataset, args, engine)
                    if done != args.images:
                        raise SystemExit(f"{engine} {stage}: {done} of {args.images} images done")
                    if seconds < best[engine]:
                        best[engine], flows[engine] = seconds, flow
                    stored[engine] = _stored(dataset, stage)
            rates = {e: round(args.images / s, 1) for e, s in best.items()}
            results["stages"][stage] = {"seconds": {e: round(s, 2) for e, s in best.items()}, "img_per_s": rates,
                                        "ray_vs_local": round(rates["ray"] / rates["local"], 3), "flow": flows,
                                        "identical": stored["local"] == stored["ray"]}
            print(json.dumps({stage: results["stages"][stage]}), flush=True)
    finally:
        ray.shutdown()
    return results


if __name__ == "__main__":
    print(json.dumps(run(parser().parse_args()), indent=2))
