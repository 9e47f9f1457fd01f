"""Concurrent edit writers see each other: every edit is planned on what the store holds when it writes.

An add-to-all racing a remove-from-all must end as some serial order would: the tag on every image or on none.
"""

from __future__ import annotations

import random
import shutil
import sqlite3
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from loraprep import ops
from loraprep.ops.edits import EditOp
from loraprep.ops.workspace import Workspace
from tests.conftest import make_image

TAG = "race tag"


@pytest.fixture(scope="module")
def scanned(tmp_path_factory) -> Path:
    """A scanned dataset whose images import a caption each; half of them carry TAG."""
    root = tmp_path_factory.mktemp("race") / "ds"
    rng = random.Random(7)
    for i in range(48):
        folder = root / rng.choice(["alpha", "beta gamma", "δelta"])
        make_image(folder / f"{i:03d}.png", (24 + i % 5, 20 + i % 7), color=(i * 5 % 256, 255 - i * 3 % 256, i * 11 % 256))
        tags = ["solo", rng.choice(["smile", "open mouth", "closed eyes"])] + ([TAG] if i % 2 else [])
        (folder / f"{i:03d}.txt").write_text(", ".join(tags), encoding="utf-8")
    ops.scan(root, min_size=8)
    return root


@pytest.fixture
def dataset(scanned, tmp_path) -> Path:
    copy = tmp_path / "ds"
    shutil.copytree(scanned, copy)
    return copy


def holders(root: Path) -> tuple[int, int]:
    """(images that show TAG, images) as a fresh reader sees them."""
    with Workspace(root) as ws:
        images = {e.file.image_id for e in ws.entries.values() if e.file.image_id}
        return len({i for i in images if ws.has_tag(i, TAG)}), len(images)


def all_ids(ws: Workspace) -> list[int]:
    return sorted(fid for fid, e in ws.entries.items() if e.file.image_id)


@pytest.mark.parametrize("first, second", [("add", "remove"), ("remove", "add")])
def test_a_commit_between_refresh_and_write_is_planned_around(dataset, monkeypatch, first, second):
    """Another writer commits right after this edit read the store and before it writes (a hook at that very
    point): the edit must still end as a serial order would, never on the stale half."""
    other = Workspace(dataset)
    ours = Workspace(dataset)
    other_ids, our_ids = all_ids(other), all_ids(ours)
    fired: list[threading.Thread] = []
    real_refresh = Workspace.refresh

    def refresh_then_other_writer(self):
        changed = real_refresh(self)
        if self is ours and not fired:
            # The other writer runs in its own thread: if this edit holds the write lock it waits for it
            # (a serial order); if not, its commit lands in the gap and the edit writes a stale plan.
            t = threading.Thread(target=lambda: other.apply_edit(EditOp(first, (TAG,)), other_ids))
            fired.append(t)
            t.start()
            t.join(0.5)
        return changed

    monkeypatch.setattr(Workspace, "refresh", refresh_then_other_writer)
    try:
        ours.apply_edit(EditOp(second, (TAG,)), our_ids)
        assert fired, "the edit never read the store through Workspace.refresh: move the hook to its new read"
        fired[0].join(30)
        assert not fired[0].is_alive()
    finally:
        monkeypatch.undo()
        ours.close()
        other.close()
    having, images = holders(dataset)
    assert having in (0, images), f"{having} of {images} images show the tag: no serial order gives that"


RACER = """
import random, sys, time
from loraprep.ops.edits import EditOp
from loraprep.ops.workspace import Workspace
root, seed, seconds, tag = sys.argv[1], int(sys.argv[2]), float(sys.argv[3]), sys.argv[4]
rng = random.Random(seed)
with Workspace(root) as ws:
    ids = sorted(fid for fid, e in ws.entries.items() if e.file.image_id)
    until = time.monotonic() + seconds
    n = 0
    while time.monotonic() < until and n < 400:
        kind = rng.choice(["add", "remove"])
        tags = [tag] + rng.sample(["solo", "smile", "extra one", "extra two"], rng.randint(0, 2))
        ws.apply_edit(EditOp(kind, tuple(tags)), ids)
        n += 1
print(n)
"""


@pytest.mark.parametrize("seed", [11, 23])
def test_two_processes_racing_add_and_remove_end_as_a_serial_order(dataset, seed):
    """Two processes, each adding TAG to every image or removing it from every image at random (seeded, about
    two seconds): replayed in journal order, every batch changed TAG on exactly the images a serial order
    would (all that lacked it, or all that had it), and the end state is all or none."""
    having, images = holders(dataset)
    procs = [subprocess.Popen([sys.executable, "-c", RACER, str(dataset), str(seed * 10 + k), "2.0", TAG],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for k in range(2)]
    for p in procs:
        out, err = p.communicate(timeout=120)
        assert p.returncode == 0, err
        assert int(out) > 0
    conn = sqlite3.connect(dataset / ".loraprep" / "state.sqlite")
    try:
        batches = conn.execute(
            "SELECT s.op, s.count FROM tag_op_sets s JOIN batches b ON b.id = s.batch_id "
            "WHERE s.tag = ? AND b.source = 'user' ORDER BY s.seq", (TAG,)).fetchall()
    finally:
        conn.close()
    assert len(batches) > 2, "the racers hardly wrote"
    for n, (op, count) in enumerate(batches):
        expected = images - having if op == "add" else having
        assert count == expected, f"batch {n + 1} ({op}) changed {count} images; a serial order changes {expected}"
        having = images if op == "add" else 0
    assert holders(dataset) == (having, images)
