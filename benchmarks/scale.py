"""Benchmark: loraprep past one machine's usual size, in parts.

    python benchmarks/scale.py --part store [--n 100000 1000000] [--data bench-data/scale]

``--part store``: a store of N generated images (files, images, tagger score sets over a booru-like vocabulary,
imported caption files; no image files, written with direct SQL), then the commands a user runs after tagging,
each in a fresh process with its wall time and peak RSS: ``status``, ``tags``, ``curate --diff``, ``caption`` of
one image, and ``export --format parquet`` (captions + metadata, no image files); ``status`` is timed three
times: counting afresh, reading what it kept, and after one write to the store (an edit). Targets: status < 2 s, tags and
curate --diff < 60 s, the export's memory not growing with N. The baseline in the same run is the bare SQLite
read of every score set (``SELECT ... FROM score_sets``), the least any command that looks at every image pays.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import machine  # noqa: E402

MODEL = "SmilingWolf/wd-vit-tagger-v3@bench"
CONCEPTS = 12
SCORES_PER_IMAGE = 32   # stored scores (>= 0.05) per image; about a third pass the default 0.35 threshold
CAPTION_TAGS = 8        # tags in an imported caption file
CAPTIONED = 0.3         # share of images with a caption file beside them
CHUNK = 20_000


def vocabulary() -> list[tuple[str, str]]:
    """A booru-like vocabulary: common general tags, a long tail, characters, and the four rating tags."""
    common = [f"{c} hair" for c in ("black", "blonde", "brown", "red", "blue", "white", "pink", "silver")]
    common += [f"{c} eyes" for c in ("blue", "red", "green", "brown", "purple", "yellow")]
    common += ["1girl", "solo", "long hair", "short hair", "smile", "looking at viewer", "blush", "open mouth",
               "simple background", "white background", "shirt", "skirt", "thighhighs", "outdoors", "indoors",
               "sky", "holding", "standing", "sitting", "hat", "bow", "jewelry", "dress", "school uniform",
               "watermark", "signature", "upper body", "full body", "closed eyes", "multiple girls", "2girls"]
    general = [(t, "general") for t in common] + [(f"tail tag {i:04d}", "general") for i in range(4000)]
    characters = [(f"character {i:03d} (series {i % 40:02d})", "character") for i in range(300)]
    ratings = [(r, "rating") for r in ("general", "sensitive", "questionable", "explicit")]
    return general + characters + ratings


def build(root: Path, n: int, seed: int = 0) -> float:
    """Write a scanned and tagged store of ``n`` images straight into SQLite; returns the seconds it took."""
    import numpy as np

    from loraprep.store.db import now, open_store
    from loraprep.store.runs import end_run, start_run

    start = time.perf_counter()
    shutil.rmtree(root, ignore_errors=True)
    root.mkdir(parents=True)
    (root / "loraprep.toml").write_text('trigger = ["mychar"]\n[rules]\nmax_tags = 30\n', encoding="utf-8")
    vocab = vocabulary()
    general = [i for i, (_t, c) in enumerate(vocab) if c == "general"]
    characters = [i for i, (_t, c) in enumerate(vocab) if c == "character"]
    ratings = [i for i, (_t, c) in enumerate(vocab) if c == "rating"]
    weights = 1.0 / np.arange(1, len(general) + 1) ** 0.9  # Zipf-like: a few tags on most images, a long tail
    weights /= weights.sum()
    rng = np.random.default_rng(seed)
    at = now()
    with open_store(root, create=True) as store:
        run = start_run(store, "scan", {"min_size": 512})
        conn = store.conn
        conn.execute("PRAGMA synchronous = OFF")
        with store.write():
            conn.executemany("INSERT INTO tag_names (id, tag, category) VALUES (?,?,?)",
                             [(i + 1, t, c) for i, (t, c) in enumerate(vocab)])
            batch = conn.execute("INSERT INTO batches (at, label, source, via) VALUES (?, 'import captions',"
                                 " 'import', 'cli')", (at,)).lastrowid
        for lo in range(0, n, CHUNK):
            with store.write():
                _write_chunk(conn, rng, lo, min(n, lo + CHUNK), general, characters, ratings, weights, vocab,
                             batch, at)
        end_run(store, run, "ok", {"images": n})
    return time.perf_counter() - start


def _write_chunk(conn, rng, lo, hi, general, characters, ratings, weights, vocab, batch, at) -> None:
    import numpy as np

    count = hi - lo
    drawn = rng.choice(len(general), size=(count, SCORES_PER_IMAGE * 2), p=weights)
    values = np.sort(rng.beta(0.7, 1.6, size=(count, SCORES_PER_IMAGE)) * 0.94 + 0.05, axis=1)[:, ::-1]
    images, files, scores, tagged, captions, ops = [], [], [], [], [], []
    for row, i in enumerate(range(lo, hi)):
        image_id = hashlib.sha256(b"scale-%d" % i).hexdigest()
        concept = f"concept_{i % CONCEPTS:02d}"
        tier = "best" if i % 7 == 0 else ""
        path = f"{concept}/{tier + '/' if tier else ''}{i:07d}.webp"
        status, reason = ("excluded", "user") if i % 101 == 0 else ("active", "")
        side = 512 if i % 53 == 0 else 1024 + (i % 5) * 128
        images.append((image_id, side, 1024, "WEBP", "RGB"))
        tag_ids = [general[j] + 1 for j in dict.fromkeys(drawn[row].tolist())][:SCORES_PER_IMAGE - 2]
        tag_ids += [characters[i % len(characters)] + 1, ratings[i % 3] + 1]
        order = values[row][:len(tag_ids)].tolist()
        scores.append((image_id, MODEL, _packed("I", tag_ids), _packed("d", order)))
        tagged.append((image_id, MODEL, at))
        caption = None
        if (i * 2654435761) % 1000 < CAPTIONED * 1000:
            caption = path.rsplit(".", 1)[0] + ".txt"
            tags = [vocab[t - 1][0] for t in tag_ids[:CAPTION_TAGS]]
            captions.append((caption, image_id, 120, 1, "utf-8", json.dumps(tags)))
            ops += [(batch, image_id, t, "add", "import", f"file:{caption}", at) for t in tags]
        files.append((path, image_id, concept, tier, 300_000, 1, status, reason, int(side < 768), caption, at, at))
    conn.executemany("INSERT INTO images (id, width, height, format, mode) VALUES (?,?,?,?,?)", images)
    conn.executemany("INSERT INTO files (path, image_id, concept, tier, size, mtime_ns, status, reason, small,"
                     " caption_path, first_seen, last_seen) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)", files)
    conn.executemany("INSERT INTO score_sets (image_id, model, tag_ids, scores) VALUES (?,?,?,?)", scores)
    conn.executemany("INSERT INTO tagged (image_id, model, at) VALUES (?,?,?)", tagged)
    conn.executemany("INSERT INTO captions (path, image_id, size, mtime_ns, encoding, tags) VALUES (?,?,?,?,?,?)",
                     captions)
    conn.executemany("INSERT INTO tag_ops (batch_id, image_id, tag, op, source, origin, at) VALUES (?,?,?,?,?,?,?)",
                     ops)


def _packed(code: str, values) -> bytes:
    from array import array

    packed = array(code, values)
    if sys.byteorder == "big":
        packed.byteswap()
    return packed.tobytes()


def measure(*args: str) -> tuple[float, float]:
    """Run the loraprep CLI in a fresh process: (wall seconds, that process's peak RSS in MiB)."""
    start = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-m", "loraprep", *args], stdout=subprocess.DEVNULL)
    _pid, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"loraprep {' '.join(args)} failed")
    return wall, usage.ru_maxrss / 1024


def write_one(root: Path) -> None:
    """One write as an edit or a rescan makes it: a file excluded, then made active again, each committed."""
    from loraprep.store.db import open_store

    with open_store(root) as store:
        for status, reason in (("excluded", "user"), ("active", "")):
            with store.write() as conn:
                conn.execute("UPDATE files SET status = ?, reason = ? WHERE path = ?",
                             (status, reason, f"concept_02/{2:07d}.webp"))


def bare_read(root: Path) -> float:
    """The baseline: every score set read from SQLite, nothing done with it."""
    import sqlite3

    start = time.perf_counter()
    conn = sqlite3.connect(root / ".loraprep" / "state.sqlite")
    for _row in conn.execute("SELECT image_id, tag_ids, scores FROM score_sets"):
        pass
    conn.close()
    return time.perf_counter() - start


COMMANDS = ("status", "tags", "curate", "caption", "export")


def store_part(sizes: list[int], data: Path, reuse: bool, commands: list[str]) -> None:
    print(f"machine: {machine()}")
    print(f"command: python benchmarks/scale.py --part store --n {' '.join(map(str, sizes))}"
          f" --commands {' '.join(commands)}{' --reuse' if reuse else ''}")
    for n in sizes:
        root = data / f"store-{n}"
        if reuse and (root / ".loraprep" / "state.sqlite").exists():
            print(f"\n{n:,} images: reusing {root}")
        else:
            took = build(root, n)
            size = (root / ".loraprep" / "state.sqlite").stat().st_size / 2**20
            print(f"\n{n:,} images: store generated in {took:.0f} s ({size:,.0f} MiB)")
        print(f"  baseline, bare read of every score set: {bare_read(root):.2f} s")
        first = f"concept_01/{1:07d}.webp"
        out = data / f"export-{n}"
        for name, args in (("status", ("status", str(root))),
                           ("status (counts kept)", ("status", str(root))),
                           ("status (after a write)", ("status", str(root))),
                           ("tags", ("tags", str(root))),
                           ("curate --diff", ("curate", str(root), "--diff")),
                           ("caption (one image)", ("caption", str(root), first)),
                           ("caption (counts kept)", ("caption", str(root), first)),
                           ("export --format parquet", ("export", str(root), str(out), "--format", "parquet",
                                                        "--replace"))):
            if args[0] not in commands:
                continue
            # The first status and caption count; the second read the counts kept (until a write moves them).
            kept = {"status": "health-counts.json", "caption (one image)": "concept-core.json"}
            if name in kept:
                (root / ".loraprep" / kept[name]).unlink(missing_ok=True)
            if name == "status (after a write)":
                write_one(root)
            wall, rss = measure(*args)
            print(f"  {name:<26}{wall:8.2f} s   peak RSS {rss:8,.0f} MiB", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--part", choices=("store",), default="store")
    parser.add_argument("--n", type=int, nargs="+", default=[100_000, 1_000_000])
    parser.add_argument("--data", type=Path, default=Path("bench-data/scale"))
    parser.add_argument("--reuse", action="store_true", help="keep a store generated by an earlier run")
    parser.add_argument("--commands", nargs="+", choices=COMMANDS, default=list(COMMANDS),
                        help="the commands to time (each reads the whole store: at 1,000,000 images some take long)")
    args = parser.parse_args()
    if args.part == "store":
        store_part(args.n, args.data, args.reuse, args.commands)


if __name__ == "__main__":
    main()
