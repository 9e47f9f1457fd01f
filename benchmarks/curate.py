"""Benchmark: `tags`, `curate --diff`, a batch edit over every image and its undo, on 10,000 images x 40 tags."""

from __future__ import annotations

import argparse
import hashlib
import random
import shutil
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import machine  # noqa: E402

VOCAB = ([f"{c} hair" for c in ("black", "blonde", "brown", "red", "blue", "white", "pink", "silver")]
         + [f"{c} eyes" for c in ("blue", "red", "green", "brown", "purple", "yellow")]
         + ["long hair", "short hair", "bangs", "ponytail", "twintails", "1girl", "solo", "smile", "blush",
            "open mouth", "looking at viewer", "simple background", "white background", "shirt", "white shirt",
            "skirt", "pleated skirt", "thighhighs", "black thighhighs", "watermark", "signature", "outdoors",
            "indoors", "sky", "cloud", "tree", "holding", "standing", "sitting", "closed eyes", "hat", "bow",
            "hair ornament", "star hair ornament", "jewelry", "earrings", "dress", "school uniform", "jacket"]
         + [f"generic tag {i}" for i in range(300)])


def build(root: Path, n: int, tags_per_image: int, seed: int = 0) -> None:
    """A dataset whose store already holds n scanned and tagged images (no pixels needed to curate)."""
    from loraprep.store import journal
    from loraprep.store.db import now, open_store
    from loraprep.store.tags import TagNames, write_scores

    shutil.rmtree(root, ignore_errors=True)
    root.mkdir(parents=True)
    (root / "loraprep.toml").write_text('trigger = ["mychar"]\nstrategy = "absorb"\n'
                                        '[rules]\naliases = { "white shirt" = "shirt" }\n')
    rng = random.Random(seed)
    at = now()
    with open_store(root, create=True) as store, store.write() as conn:
        vocab = TagNames(conn)
        for i in range(n):
            image_id = hashlib.sha256(f"img{i}".encode()).hexdigest()
            conn.execute("INSERT INTO images (id, width, height, format, mode) VALUES (?, 1024, 1024, 'PNG', 'RGB')",
                         (image_id,))
            conn.execute("INSERT INTO files (path, image_id, concept, size, mtime_ns, status, first_seen, last_seen)"
                         " VALUES (?,?,?,?,?,?,?,?)", (f"concept_{i % 4}/{i:05d}.png", image_id, f"concept_{i % 4}",
                                                         1000, 1, "active", at, at))
            tags = rng.sample(VOCAB, tags_per_image)
            write_scores(conn, image_id, "bench@1", [(t, "general", rng.uniform(0.36, 0.99)) for t in tags], vocab)
        journal.record_batch(conn, "import", "import", [])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--n", type=int, default=10_000)
    parser.add_argument("--tags", type=int, default=40)
    parser.add_argument("--data", type=Path, default=Path("bench-data/curate"))
    parser.add_argument("--runs", type=int, default=3, help="timings per measure; the median is shown")
    args = parser.parse_args()
    root = args.data / f"{args.n}x{args.tags}"
    build(root, args.n, args.tags)

    from loraprep.ops.curate import curate, tags_report
    from loraprep.ops.edits import EditOp
    from loraprep.ops.workspace import Workspace
    from loraprep.store.db import open_store

    def clock(fn):
        start = time.perf_counter()
        result = fn()
        return time.perf_counter() - start, result

    def median_of(runs: int, fn):
        """The median of ``runs`` timings (this machine is shared: one run can be unlucky), and the last result."""
        timings = []
        for _ in range(runs):
            took, result = clock(fn)
            timings.append(took)
        return statistics.median(timings), result

    def raw_read():
        from loraprep.store.tags import load_scores

        with open_store(root) as store:
            return sum(len(s) for s in load_scores(store.conn, "bench@1").values())

    t_raw, rows = median_of(args.runs, raw_read)
    t_tags, _ = median_of(args.runs, lambda: tags_report(root, top=40))
    t_curate, diff = median_of(args.runs, lambda: curate(root))
    edits, undos, recaptions = [], [], []
    with Workspace(root) as ws:
        ids = ws.select()
        ws.caption(ids[0])
        for i in range(args.runs):
            took, applied = clock(lambda: ws.apply_edit(EditOp("add", (f"masterpiece {i}",)), ids))
            edits.append(took)
            undos.append(clock(ws.undo)[0])
            recaptions.append(clock(lambda: [ws.caption(i) for i in ids])[0])
    t_edit, t_undo, t_recaption = (statistics.median(v) for v in (edits, undos, recaptions))
    print(f"machine: {machine()}")
    print(f"command: python benchmarks/curate.py --n {args.n} --tags {args.tags} --runs {args.runs}"
          f" (medians of {args.runs} runs)")
    print(f"baseline, reading the {rows:,} stored scores from SQLite: {t_raw:.2f} s")
    print(f"`tags` (load + rules + frequency table): {t_tags:.2f} s (target < 2 s)")
    print(f"`curate --diff`: {t_curate:.2f} s, {diff['images_changed']} images change (target < 2 s)")
    print(f"batch edit over {applied['changed']} images: {t_edit:.2f} s; undo: {t_undo:.2f} s "
          f"(target < 1 s together: {t_edit + t_undo:.2f} s)")
    print(f"captions of all {len(ids)} images after the undo (rules re-applied): {t_recaption:.2f} s")


if __name__ == "__main__":
    main()
