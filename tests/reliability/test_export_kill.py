"""kill -9 of a real export process at seeded random moments: the next run finds a whole export and no leftovers.

A child process re-exports the same images over and over (captions changing each time, so every swap replaces a
previous export); the parent kills it after a random delay. Right after the kill, OUT is a complete export, or OUT
is missing and a complete export waits beside it; the output check then recovers and cleans up.
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

from loraprep.export.leftovers import find_leftovers
from loraprep.export.ownership import survey
from loraprep.export.swap import prepare_output
from tests.conftest import make_image, snapshot_sources

SEED = int(os.environ.get("LORAPREP_KILL_SEED", "14"))
TRIALS = 3

CHILD = textwrap.dedent("""
    import sys
    from pathlib import Path
    from loraprep.export import ExportItem, ExportOptions, export_dataset
    root, out = Path(sys.argv[1]), Path(sys.argv[2])
    images = sorted(root.rglob("*.png"))
    print("ready", flush=True)
    round = 0
    while True:
        round += 1
        items = [ExportItem(f"id{i}", p, p.parent.name, "", f"mychar, round {round}", len(p.parent.name), "PNG",
                            "RGB") for i, p in enumerate(images)]
        export_dataset(items, sys.argv[3], ExportOptions(out_dir=out, dataset_root=root, trigger_words=("mychar",)))
""")


def make_sources(root: Path, rng: random.Random) -> None:
    for i in range(24):
        concept = ("hat", "coat", "scarf")[i % 3]
        make_image(root / concept / f"{i:02d}.png", (rng.randint(48, 96), rng.randint(48, 96)),
                   color=(rng.randint(0, 255), rng.randint(0, 255), rng.randint(0, 255)))


def test_kill_at_random_points_never_loses_the_export(tmp_path):
    rng = random.Random(SEED)
    root = tmp_path / "ds"
    make_sources(root, rng)
    before = snapshot_sources(root)
    out = tmp_path / "out"
    for trial in range(TRIALS):
        fmt = rng.choice(["kohya", "ai-toolkit", "simpletuner"]) if trial else "kohya"
        child = subprocess.Popen([sys.executable, "-c", CHILD, str(root), str(out), fmt],
                                 stdout=subprocess.PIPE, text=True)
        try:
            assert child.stdout.readline().strip() == "ready"
            time.sleep(rng.uniform(0.05, 0.9))
        finally:
            child.send_signal(signal.SIGKILL)
            child.wait(timeout=10)
        where = f"seed {SEED}, trial {trial}"
        leftovers = find_leftovers(out)
        if out.exists():
            assert survey(out).complete, where
        else:  # killed between the renames (or before the first export finished)
            assert trial == 0 or any(survey(item.path).complete for item in leftovers), where
        prepare_output(out, root)
        assert find_leftovers(out) == [], where
        assert trial == 0 and not out.exists() or survey(out).complete, where
    assert snapshot_sources(root) == before
