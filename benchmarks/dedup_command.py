"""The command a user runs, end to end: `loraprep scan` then `loraprep dedup` on a fresh store, beside a bare
parallel Pillow decode of the same files measured in the same run.

    .venv/bin/python benchmarks/dedup_command.py --n 2000          # also --n 20000; --sheets also times --sheets
    .venv/bin/python benchmarks/dedup_command.py --n 2000 --before /tmp/old/src    # an older tree, same bare decode
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.common import machine, run_cli  # noqa: E402
from benchmarks.dedup import bare_decode  # noqa: E402
from benchmarks.dedup_data import generate  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=2000)
    parser.add_argument("--data", default=None, help="folder for the generated set (reused when it matches)")
    parser.add_argument("--seed", type=int, default=2)
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--runs", type=int, default=1, help="repeat the whole measurement, baseline included")
    parser.add_argument("--sheets", action="store_true", help="also time `dedup --sheets` on a fresh store")
    parser.add_argument("--before", default=None, help="an older src/ tree, measured after each bare decode too")
    args = parser.parse_args()

    folder = Path(args.data or f"/tmp/loraprep-bench-dedup-{args.n}-{args.seed}")
    print(f"$ {sys.executable} benchmarks/dedup_command.py " + " ".join(sys.argv[1:]))
    print(f"machine: {machine()}; load average {os.getloadavg()[0]:.1f} at start")
    manifest = generate(folder, args.n, args.seed)
    paths = [str(folder / m["file"]) for m in manifest]
    bare_decode(paths[:200], args.workers)                       # warm the page cache for everyone
    trees = [("now", None)] + ([("before", args.before)] if args.before else [])
    for run in range(args.runs):
        decode = bare_decode(paths, args.workers)
        for name, src in trees:
            shutil.rmtree(folder / ".loraprep", ignore_errors=True)
            scan_s, scan_mb = run_cli("scan", str(folder), src=src)
            dedup_s, dedup_mb = run_cli("dedup", str(folder), src=src)
            rerun_s, _ = run_cli("dedup", str(folder), src=src)
            line = (f"run {run + 1}, {name}: {len(paths)} images; bare decode ({args.workers} threads) {decode:.1f} s; "
                    f"loraprep scan {scan_s:.1f} s ({scan_mb} MiB) = {scan_s / decode:.2f}x; loraprep dedup {dedup_s:.1f} s "
                    f"({dedup_mb} MiB) = {dedup_s / decode:.2f}x the bare decode; dedup again, nothing new {rerun_s:.1f} s; "
                    f"scan + dedup {(scan_s + dedup_s) / decode:.2f}x")
            if args.sheets:
                shutil.rmtree(folder / ".loraprep", ignore_errors=True)
                run_cli("scan", str(folder), src=src)
                sheets_s, _ = run_cli("dedup", str(folder), "--sheets", src=src)
                line += f"; dedup --sheets {sheets_s:.1f} s = {sheets_s / decode:.2f}x"
            print(line, flush=True)
    shutil.rmtree(folder / ".loraprep", ignore_errors=True)


if __name__ == "__main__":
    main()
