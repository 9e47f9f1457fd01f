"""kill -9 at a seeded random moment of a scan, a dedup or a tag edit: the store stays consistent (pages,
references, whole journal batches, file rows with their files) and running the command again finishes with
the result of an uninterrupted run."""

from __future__ import annotations

import random
import shutil
import time

import pytest

from loraprep.ops.workspace import Workspace
from tests.reliability.helpers import check_store, kill9, loraprep, make_dataset, runs, start

SEED = 20240614
TRIALS = 2
TAG = "kill test tag"


@pytest.fixture(scope="module")
def template(tmp_path_factory):
    """A dataset never scanned, the same scanned, and what an uninterrupted dedup excludes from it."""
    base = tmp_path_factory.mktemp("template")
    raw = make_dataset(base / "raw", 110, seed=SEED % 97, size=180)
    scanned = base / "scanned"
    shutil.copytree(raw, scanned)
    assert loraprep("scan", scanned).returncode == 0
    reference = base / "reference"
    shutil.copytree(scanned, reference)
    assert loraprep("dedup", reference).returncode == 0
    return raw, scanned, _excluded(reference)


def _excluded(root) -> set[str]:
    ws = Workspace(root)
    try:
        return {f.path for f in ws.files(statuses=("excluded",))}
    finally:
        ws.close()


def _tagged(root) -> tuple[int, int]:
    """(active images showing TAG, active images)."""
    ws = Workspace(root)
    try:
        active = ws.files(statuses=("active",))
        return sum(TAG in ws.caption(f.id).split(", ") for f in active), len(active)
    finally:
        ws.close()


def _images(root) -> set[str]:
    return {p.relative_to(root).as_posix() for p in root.rglob("*") if p.suffix in (".png", ".jpg")
            and ".loraprep" not in p.parts}


COMMANDS = {
    "scan": (lambda root: ("scan", root), 0),          # (arguments, template: 0 raw, 1 scanned)
    "dedup": (lambda root: ("dedup", root), 1),
    "edit-tags": (lambda root: ("edit-tags", root, "add", TAG, "-y"), 1),
}


@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_a_kill_at_a_random_moment_loses_nothing_committed(command, template, tmp_path):
    rng = random.Random(f"{SEED}:{command}")
    arguments, source = COMMANDS[command]
    for trial in range(TRIALS):
        root = tmp_path / f"trial {trial}"
        shutil.copytree(template[source], root)
        proc = start(*arguments(root), env={"LORAPREP_WORKERS": "2"})
        time.sleep(rng.uniform(0.3, 2.5))
        kill9(proc)
        if not (root / ".loraprep" / "state.sqlite").exists():
            continue                                   # killed before the store was created: nothing to check
        check_store(root)
        if command == "edit-tags":                     # one batch: on every image or on none
            shown, active = _tagged(root)
            assert shown in (0, active), f"{shown} of {active} images got the tag"
        again = loraprep(*arguments(root))
        assert again.returncode == 0, again.stderr
        check_store(root)
        # The killed run, if it got as far as starting one, is marked interrupted by the run after it.
        assert all(outcome is not None for _, _, outcome in runs(root)), runs(root)
        if command == "scan":
            ws = Workspace(root)
            try:
                assert {f.path for f in ws.files()} == _images(root)
            finally:
                ws.close()
        elif command == "dedup":
            assert _excluded(root) == template[2]
        else:
            shown, active = _tagged(root)
            assert shown == active
