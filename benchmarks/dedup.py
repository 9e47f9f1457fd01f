"""Dedup benchmark: pairwise precision/recall per variant and wall time, loraprep vs imagededup PHash vs bare decode.

    .venv/bin/python benchmarks/dedup.py --n 2000            # also --n 20000, --search-n 1000000 (0 to skip)
"""

from __future__ import annotations

import argparse
import collections
import os
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.common import machine  # noqa: E402
from benchmarks.dedup_data import VARIANTS, generate  # noqa: E402


def true_pairs(manifest) -> set[tuple[int, int]]:
    groups = collections.defaultdict(list)
    for i, item in enumerate(manifest):
        if item["group"]:
            groups[item["group"]].append(i)
    return {(a, b) for members in groups.values() for a in members for b in members if a < b}


def score(name: str, predicted: set, truth: set, manifest, wall: float) -> dict:
    tp = len(predicted & truth)
    out = {"method": name, "wall_s": round(wall, 2), "pairs_predicted": len(predicted),
           "precision": round(tp / max(1, len(predicted)), 4), "recall": round(tp / max(1, len(truth)), 4)}
    kind = [m["variant"] for m in manifest]
    for v in VARIANTS:
        relevant = [p for p in truth if kind[p[0]] == v or kind[p[1]] == v]
        out[f"recall_{v}"] = round(sum(p in predicted for p in relevant) / max(1, len(relevant)), 4)
    false = collections.Counter(tuple(sorted((kind[a], kind[b]))) for a, b in predicted - truth)
    out["false_pairs_by_kind"] = dict(false.most_common(6))
    return out


def bare_decode(paths, workers: int) -> float:
    from PIL import Image

    def load(path):
        with Image.open(path) as img:
            img.load()

    start = time.perf_counter()
    with ThreadPoolExecutor(workers) as pool:
        list(pool.map(load, paths, chunksize=8))
    return time.perf_counter() - start


def run_loraprep(paths, manifest, workers: int, threshold):
    import hashlib

    from loraprep.dedup import DedupInput, Descriptor, find_duplicate_groups
    from loraprep.dedup.batch import describe_paths

    # the content hash comes from scan (loraprep dedup reads it from the state DB): computed before the clock
    content = [hashlib.sha256(Path(p).read_bytes()).hexdigest() for p in paths]
    sizes = [os.path.getsize(p) for p in paths]

    def record(at, blob):
        fmt = paths[at].rsplit(".", 1)[-1].upper().replace("JPG", "JPEG")
        d = Descriptor.from_bytes(blob)
        return DedupInput(at, d, content[at], "", d.width, d.height,
                          "WEBP_LOSSLESS" if fmt == "WEBP" else fmt, d.alpha is not None, sizes[at], "")

    start = time.perf_counter()
    # as `loraprep dedup` does it: worker processes decode and describe, descriptors come back as bytes
    records = [record(at, blob) for at, (blob, _) in enumerate(describe_paths(paths, workers)) if blob]
    encoded = time.perf_counter() - start
    groups = find_duplicate_groups(records, threshold=threshold)
    wall = time.perf_counter() - start
    predicted = set()
    for g in groups:
        members = [g.keeper_id] + [m.image_id for m in g.members]
        predicted |= {(min(a, b), max(a, b)) for a in members for b in members if a != b}
    largest = max((1 + len(g.members) for g in groups), default=0)
    return predicted, wall, {"encode_s": round(encoded, 2), "search_verify_group_s": round(wall - encoded, 2),
                             "groups": len(groups), "largest_group": largest}


def _import_imagededup_phash():
    """imagededup.methods.PHash; its package __init__ pulls torchvision for the CNN method, which the hashing
    methods never use, so a broken torchvision install is stubbed out rather than letting it block the measurement."""
    try:
        from imagededup.methods import PHash
        return PHash, ""
    except ImportError as exc:
        if (exc.name or "").split(".")[0] not in ("torch", "torchvision"):
            raise
        return _stubbed_phash(exc)
    except Exception as exc:  # e.g. torchvision built for another torch
        return _stubbed_phash(exc)


def _stubbed_phash(exc: Exception):
    """PHash imported with imagededup's CNN module replaced by placeholders (the hashing code is untouched)."""
    import types

    for name in list(sys.modules):
        if name.startswith(("imagededup", "torchvision")):
            del sys.modules[name]
    for module in ("imagededup.utils.models", "imagededup.methods.cnn"):
        stub = types.ModuleType(module)
        stub.__getattr__ = lambda name: type(name, (), {})  # every CNN class becomes an unused placeholder
        sys.modules[module] = stub
    from imagededup.methods.hashing import PHash
    return PHash, f"(torch/torchvision import failed: {type(exc).__name__}; CNN module stubbed, hashing code unchanged)"


def run_imagededup(folder, names, manifest):
    PHash, note = _import_imagededup_phash()
    index = {name: i for i, name in enumerate(names)}
    start = time.perf_counter()
    phasher = PHash(verbose=False)
    encodings = phasher.encode_images(image_dir=str(folder))
    dupes = phasher.find_duplicates(encoding_map=encodings)            # defaults: max_distance_threshold=10
    wall = time.perf_counter() - start
    predicted = {(min(index[a], index[b]), max(index[a], index[b])) for a, others in dupes.items()
                 for b in others if a in index and b in index}
    return predicted, wall, note


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=2000)
    parser.add_argument("--data", default=None, help="folder for the generated set (reused when it matches)")
    parser.add_argument("--seed", type=int, default=2)
    parser.add_argument("--threshold", default="default")
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--skip-imagededup", action="store_true")
    parser.add_argument("--search-n", type=int, default=1_000_000, help="synthetic candidate-search size (0: skip)")
    args = parser.parse_args()

    folder = Path(args.data or f"/tmp/loraprep-bench-dedup-{args.n}-{args.seed}")
    print(f"$ {sys.executable} benchmarks/dedup.py " + " ".join(sys.argv[1:]))
    print(f"machine: {machine()}")
    t0 = time.perf_counter()
    manifest = generate(folder, args.n, args.seed)
    print(f"data: {len(manifest)} images in {folder} ({time.perf_counter() - t0:.0f} s to generate or reuse)")
    counts = collections.Counter(m["variant"] for m in manifest)
    print("composition:", dict(counts))
    names = [m["file"] for m in manifest]
    paths = [str(folder / name) for name in names]
    truth = true_pairs(manifest)
    print(f"true duplicate pairs: {len(truth)}")

    bare_decode(paths[:200], args.workers)                               # warm the page cache for everyone
    decode = bare_decode(paths, args.workers)
    print(f"\nbaseline: bare parallel Pillow decode ({args.workers} threads): {decode:.2f} s")

    predicted, wall, extra = run_loraprep(paths, manifest, args.workers, args.threshold)
    result = score("loraprep", predicted, truth, manifest, wall)
    result.update(extra, ratio_to_decode=round(wall / decode, 2), encode_ratio_to_decode=round(extra["encode_s"] / decode, 2))
    print(result)

    if not args.skip_imagededup:
        try:
            predicted, wall, note = run_imagededup(folder, names, manifest)
            result = score("imagededup PHash (defaults, threshold 10)", predicted, truth, manifest, wall)
            result["ratio_to_decode"] = round(wall / decode, 2)
            print(result, note)
        except ImportError as exc:
            print(f"imagededup not installed ({exc}); pip install imagededup")

    if args.search_n:
        from benchmarks.dedup_search import run_isolated

        print("\ncandidate search, synthetic:", run_isolated(n=args.search_n))


if __name__ == "__main__":
    main()
