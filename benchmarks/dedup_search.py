"""Candidate search at scale: 1,000,000 synthetic descriptors (code + crop probes) with planted near pairs."""

from __future__ import annotations

import multiprocessing as mp
import resource
import time

import numpy as np


def _flip(codes: np.ndarray, n_bits: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    out = codes.copy()
    for row in range(len(out)):
        bits = rng.choice(64, size=int(n_bits[row]), replace=False)
        out[row] ^= np.uint64(np.bitwise_or.reduce(np.left_shift(np.uint64(1), bits.astype(np.uint64)))) if len(bits) else np.uint64(0)
    return out


def synthetic(n: int, n_pairs: int, n_probes: int, seed: int = 0):
    """(codes (n,), probes (n, 1 + n_probes), planted pairs (n_pairs, 2), planted distances).

    Half the planted pairs are whole-frame near copies (code of b = code of a with d bits flipped),
    half are crops (code of b = one crop probe of a with d bits flipped); d is uniform in 0..6,
    the distances measured between real variants and their bases.
    """
    rng = np.random.default_rng(seed)
    codes = rng.integers(0, 2**63, n, dtype=np.uint64) * np.uint64(2) + rng.integers(0, 2, n, dtype=np.uint64)
    probes = np.concatenate([codes[:, None], rng.integers(0, 2**63, (n, n_probes), dtype=np.uint64)], axis=1)
    a = rng.choice(n // 2, n_pairs, replace=False)
    b = n // 2 + rng.choice(n // 2, n_pairs, replace=False)
    dist = rng.integers(0, 7, n_pairs)
    crop = rng.random(n_pairs) < 0.5
    source = np.where(crop, probes[a, rng.integers(1, n_probes + 1, n_pairs)], codes[a])
    codes[b] = _flip(source, dist, rng)
    probes[b, 0] = codes[b]
    return codes, probes, np.stack([a, b], axis=1), dist


def run(n: int = 1_000_000, n_pairs: int = 10_000, n_probes: int | None = None, src: str | None = None,
        queue=None) -> dict:
    """The production index (dedup.find.candidate_index) over ``n`` synthetic descriptors; ``src``: import
    loraprep from that source folder instead (a baseline: `git archive REV src | tar -x -C DIR`, src=DIR/src)."""
    if src:
        import sys

        sys.path.insert(0, src)
    from loraprep.dedup.find import candidate_index
    from loraprep.dedup.hashes import PROBES

    n_probes = len(PROBES) if n_probes is None else n_probes

    codes, probes, planted, _ = synthetic(n, n_pairs, n_probes)
    start, cpu = time.perf_counter(), time.process_time()
    index = candidate_index()
    index.add(codes, probes)
    found = index.pairs()
    wall, cpu = time.perf_counter() - start, time.process_time() - cpu
    key = found[:, 0] * n + found[:, 1]
    want = np.minimum(planted[:, 0], planted[:, 1]) * n + np.maximum(planted[:, 0], planted[:, 1])
    recall = float(np.isin(want, key).mean())
    result = {"code": src or "this checkout", "n": n, "planted": n_pairs, "probes_per_item": n_probes + 1,
              "radius": index.radius, "probe_radius": index.probe_radius, "plan_radius": index.plan_radius,
              "probe_keep": index.probe_keep, "wall_s": round(wall, 1), "cpu_s": round(cpu, 1),
              "pairs_found": int(len(found)),
              "planted_recall": round(recall, 4),
              "peak_rss_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024}
    if queue is not None:
        queue.put(result)
    return result


def run_isolated(**kwargs) -> dict:
    """Run in a fresh process so its peak memory is its own."""
    ctx = mp.get_context("spawn")
    queue = ctx.Queue()
    proc = ctx.Process(target=run, kwargs={**kwargs, "queue": queue})
    proc.start()
    result = queue.get()
    proc.join()
    return result


def main() -> None:
    import argparse

    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("n", nargs="?", type=int, default=1_000_000, help="descriptors (default 1,000,000)")
    parser.add_argument("--baseline-src", help="also run the loraprep source in this folder first, same data")
    args = parser.parse_args()
    if args.baseline_src:
        print(run_isolated(n=args.n, src=args.baseline_src))
    print(run_isolated(n=args.n))


if __name__ == "__main__":
    main()
