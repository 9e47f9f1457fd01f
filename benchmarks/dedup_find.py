"""Finding the groups alone (search, screen, verification, grouping) on descriptors computed once and kept beside
the data, per-variant recall and CPU seconds, the current code beside an older source tree in the same run.

    .venv/bin/python benchmarks/dedup_find.py --n 2000 --before /tmp/old/src      # also --n 20000
    (an older tree: mkdir /tmp/old && git archive <commit> src | tar -x -C /tmp/old)
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import pickle
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def _descriptors(folder: Path, manifest, workers: int):
    """(descriptor blobs, content hashes) per manifest entry, computed once and kept in <folder>.descriptors."""
    from loraprep.dedup.descriptor import VERSION

    cache = folder.with_name(folder.name + f".descriptors-v{VERSION}")
    if cache.exists():
        return pickle.loads(cache.read_bytes())
    from loraprep.dedup.batch import describe_paths

    paths = [folder / m["file"] for m in manifest]
    blobs = [blob for blob, _ in describe_paths(paths, workers)]
    shas = [hashlib.sha256(p.read_bytes()).hexdigest() for p in paths]
    cache.write_bytes(pickle.dumps((blobs, shas)))
    return blobs, shas


def measure(folder: Path, workers: int) -> dict:
    """Precision, recall per variant and the CPU/wall seconds of find_duplicate_groups with the importable code."""
    from benchmarks.dedup import score, true_pairs
    from loraprep.dedup import DedupInput, Descriptor, find_duplicate_groups

    manifest = json.loads((folder / "manifest.json").read_text())["images"]
    blobs, shas = _descriptors(folder, manifest, workers)
    records = []
    for at, (item, blob) in enumerate(zip(manifest, blobs)):
        if blob:
            d = Descriptor.from_bytes(blob)
            fmt = item["file"].rsplit(".", 1)[-1].upper().replace("JPG", "JPEG")
            records.append(DedupInput(at, d, shas[at], "", d.width, d.height,
                                      "WEBP_LOSSLESS" if fmt == "WEBP" else fmt, d.alpha is not None, 0, ""))
    cpu, wall = time.process_time(), time.perf_counter()
    groups = find_duplicate_groups(records)
    cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
    predicted = set()
    for g in groups:
        members = [g.keeper_id] + [m.image_id for m in g.members]
        predicted |= {(min(a, b), max(a, b)) for a in members for b in members if a != b}
    out = score("loraprep", predicted, true_pairs(manifest), manifest, wall)
    out.pop("false_pairs_by_kind")
    out["cpu_s"] = round(cpu, 2)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=2000)
    parser.add_argument("--data", default=None, help="the benchmark set (benchmarks/dedup_data.py), reused")
    parser.add_argument("--seed", type=int, default=2)
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--before", default=None, help="an older src/ tree, measured in the same run")
    parser.add_argument("--runs", type=int, default=1)
    parser.add_argument("--one", action="store_true", help=argparse.SUPPRESS)      # a child: one measurement
    args = parser.parse_args()
    folder = Path(args.data or f"/tmp/loraprep-bench-dedup-{args.n}-{args.seed}")
    if args.one:
        print(json.dumps(measure(folder, args.workers)))
        return
    from benchmarks.common import machine
    from benchmarks.dedup_data import generate

    print(f"$ {sys.executable} benchmarks/dedup_find.py " + " ".join(sys.argv[1:]))
    print(f"machine: {machine()}; load average {os.getloadavg()[0]:.1f} at start")
    generate(folder, args.n, args.seed)
    _descriptors(folder, json.loads((folder / "manifest.json").read_text())["images"], args.workers)
    trees = [("now", str(ROOT / "src"))] + ([("before", args.before)] if args.before else [])
    for run in range(args.runs):
        for name, src in trees:
            env = dict(os.environ, PYTHONPATH=src)
            child = [sys.executable, __file__, "--one", "--data", str(folder), "--workers", str(args.workers)]
            line = subprocess.run(child, env=env, check=True, capture_output=True, text=True).stdout.strip().splitlines()[-1]
            print(f"run {run + 1}, {name} ({src}): {line}", flush=True)


if __name__ == "__main__":
    main()
