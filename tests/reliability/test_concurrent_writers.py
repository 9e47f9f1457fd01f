"""Several processes writing one store at once (a scan finding new images, two tag editors): every command
succeeds, no "database is locked" reaches anyone, and no write is lost."""

from __future__ import annotations

import random
import subprocess
import sys

from loraprep.ops.workspace import Workspace
from tests.reliability.helpers import check_store, loraprep, make_dataset

SEED = 7321

# A person editing tags in a loop, each edit its own command and batch, on the concepts that exist already.
EDITOR = """
import subprocess, sys
root, prefix, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
for i in range(n):
    done = subprocess.run([sys.executable, "-m", "loraprep", "edit-tags", root, "add", f"{prefix} {i}", "-y",
                           "--where", "concept:alpha OR concept:beta"], capture_output=True, text=True)
    if done.returncode:
        sys.exit(done.stderr)
"""


def test_a_scan_and_two_editors_at_once_lose_nothing(tmp_path):
    rng = random.Random(SEED)
    root = make_dataset(tmp_path / "ds", 40, seed=SEED % 89, size=150)
    assert loraprep("scan", root).returncode == 0
    # New pictures for the scan to find while the editors work (in a concept the editors leave alone).
    make_dataset(tmp_path / "more", 50, seed=rng.randrange(1000), size=150, captions=True)
    for path in (tmp_path / "more").rglob("*.*"):
        target = root / "gamma" / f"new_{path.parent.name}_{path.name}"
        target.parent.mkdir(exist_ok=True)
        path.rename(target)
    edits = 2
    editors = [subprocess.Popen([sys.executable, "-c", EDITOR, str(root), name, str(edits)], stderr=subprocess.PIPE,
                                text=True) for name in ("first editor", "second editor")]
    scan = loraprep("scan", root)
    errors = [editor.communicate(timeout=300)[1] for editor in editors]
    assert scan.returncode == 0, scan.stderr
    assert [editor.returncode for editor in editors] == [0, 0], errors
    assert not any("locked" in text for text in [scan.stderr, *errors])
    check_store(root)
    ws = Workspace(root)
    try:
        paths = {f.path for f in ws.files()}
        assert sum(p.startswith("gamma/") for p in paths) == 50
        wanted = {f"{name} {i}" for name in ("first editor", "second editor") for i in range(edits)}
        for f in ws.files(statuses=("active",)):
            shown = set(ws.caption(f.id).split(", "))
            if f.concept in ("alpha", "beta"):
                assert wanted <= shown, (f.path, wanted - shown)
            else:
                assert not wanted & shown
    finally:
        ws.close()
    history = loraprep("--json", "history", root, "--limit", "100")
    labels = [line for line in history.stdout.splitlines() if '"label"' in line]
    assert sum("editor" in label for label in labels) == 2 * edits
