"""Detection benchmark: `loraprep detect` end to end vs the model-bound session.run rate, in the same run.

    .venv/bin/python benchmarks/detect.py --images 120                      # the tiny demo detector, CPU
    .venv/bin/python benchmarks/detect.py --images 120 --model DIR          # any YOLO detector folder (model.onnx)
    .venv/bin/python benchmarks/detect.py --images 400 --device cuda        # GPU (needs onnxruntime-gpu)

Model-bound: the same detector's session.run over inputs already decoded and letterboxed in memory, in the batch
size the pipeline picks (or --batch): what the model alone allows. End to end: ops.detect on a scanned dataset of
generated 900-1600 px JPEG/PNG pictures with several drawn figures (decode, letterbox, inference, NMS, store
writes), --force so every picture runs. The claim: end to end >= 0.95 of model-bound.
"""

from __future__ import annotations

import argparse
import json
import random
import shutil
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(ROOT / "examples" / "tiny_detector"))
from common import machine  # noqa: E402

import figures  # noqa: E402


def build_dataset(folder: Path, count: int) -> Path:
    """``count`` pictures (JPEG and PNG, 900-1600 px, 1-3 figures), made once and reused."""
    root = folder / "ds"
    marker = root / f".made-{count}"
    if marker.is_file():
        return root
    shutil.rmtree(root, ignore_errors=True)
    rng = random.Random(2026)
    for i in range(count):
        w, h = rng.randint(900, 1600), rng.randint(900, 1400)
        picture = figures.random_figures(rng, w, h, rng.randint(1, 3), rng.choice(["white", "black"]))
        path = root / "chars" / f"p{i:05d}.{'jpg' if i % 3 else 'png'}"
        path.parent.mkdir(parents=True, exist_ok=True)
        img = figures.render(picture)
        img.save(path, "JPEG", quality=90) if path.suffix == ".jpg" else img.save(path, "PNG", compress_level=3)
    marker.write_text("")
    return root


def model_bound(detector, paths: list[Path], batch: int, repeat: int) -> float:
    """Images per second of session.run alone, on inputs prepared beforehand."""
    import numpy as np

    from loraprep.detect.preprocess import load_input

    arrays = [load_input(p, detector.height, detector.width)[0] for p in paths]
    batches = [np.stack(arrays[i:i + batch]) for i in range(0, len(arrays), batch)]
    detector.predict(batches[0])  # warm-up: first-run allocations are not the model's rate
    best = 0.0
    for _ in range(repeat):
        start = time.perf_counter()
        for b in batches:
            detector.predict(b)
        best = max(best, len(arrays) / (time.perf_counter() - start))
    return best


def end_to_end(root: Path, model: str, device: str, batch: int, repeat: int) -> tuple[float, dict]:
    from loraprep import ops

    best, report = 0.0, {}
    for _ in range(repeat):
        start = time.perf_counter()
        report = ops.detect(root, model=model, device=device, batch_size=batch, force=True)
        best = max(best, report["detected"] / (time.perf_counter() - start))
    return best, report


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--images", type=int, default=120)
    parser.add_argument("--model", default=str(ROOT / "examples" / "tiny_detector"))
    parser.add_argument("--device", default="cpu")
    parser.add_argument("--batch", type=int, default=None)
    parser.add_argument("--repeat", type=int, default=2)
    parser.add_argument("--out", type=Path, default=Path("/tmp/loraprep-bench-detect"))
    args = parser.parse_args()

    from loraprep import ops
    from loraprep.detect.yolo import load_detector

    root = build_dataset(args.out, args.images)
    ops.scan(root, min_size=64)
    detector = load_detector(args.model, device=args.device)
    batch = args.batch or detector.default_batch_size()
    paths = sorted((root / "chars").iterdir())
    # Alternate the two measurements so a busy machine's slow patch does not fall on one of them only.
    bound, e2e, report = 0.0, 0.0, {}
    for _ in range(args.repeat):
        bound = max(bound, model_bound(detector, paths, batch, 1))
        rate, report = end_to_end(root, args.model, args.device, batch, 1)
        e2e = max(e2e, rate)
    result = {"machine": machine(), "provider": detector.provider, "model": detector.key,
              "input": f"{detector.height}x{detector.width}", "images": len(paths), "batch": batch,
              "model_bound_img_s": round(bound, 2), "end_to_end_img_s": round(e2e, 2),
              "ratio": round(e2e / bound, 3) if bound else None, "boxes": report.get("boxes"),
              "command": " ".join([Path(sys.executable).name, *sys.argv])}
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
