"""kill -9 of dedup's main process while its worker processes run: none of them outlives it, and the next
command shows the run as interrupted."""

from __future__ import annotations

import json
import sys

import pytest

from tests.reliability.helpers import (check_store, descendants, kill9, loraprep, make_dataset, runs, start,
                                       survivors, wait_for_tree)

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads the process tree from /proc")


@pytest.fixture(scope="module")
def scanned(tmp_path_factory):
    root = make_dataset(tmp_path_factory.mktemp("kill") / "ds", 150, seed=11, size=420)
    done = loraprep("scan", root)
    assert done.returncode == 0, done.stderr
    return root


def _forget_descriptors(root) -> None:
    """scan describes new images itself: without its descriptors dedup describes all 150 in worker processes."""
    import sqlite3

    with sqlite3.connect(root / ".loraprep" / "state.sqlite") as conn:
        conn.execute("DELETE FROM dedup_descriptors")


def test_workers_die_with_a_killed_dedup_and_the_next_command_marks_the_run(scanned):
    _forget_descriptors(scanned)
    proc = start("dedup", scanned, env={"LORAPREP_WORKERS": "2"})
    try:
        # Worker processes sit two levels down: dedup -> fork server -> workers.
        tree = wait_for_tree(proc, depth=2, timeout=60)
        assert tree, f"dedup ended before its workers were seen: {proc.stderr.read() if proc.stderr else ''}"
        tree.update(descendants(proc.pid))
    finally:
        kill9(proc)
    assert survivors(tree, timeout=5) == [], "processes outlived the killed dedup"
    status = loraprep("--json", "status", scanned)
    assert status.returncode == 0, status.stderr
    unfinished = json.loads(status.stdout)["unfinished_runs"]
    assert [(r["command"], r["state"]) for r in unfinished] == [("dedup", "interrupted")]
    assert runs(scanned)[-1][1:] == ("dedup", "interrupted")
    check_store(scanned)
    shown = loraprep("status", scanned).stdout
    assert "interrupted" in shown and "loraprep dedup" in shown
    again = loraprep("dedup", scanned)
    assert again.returncode == 0, again.stderr
    assert runs(scanned)[-1][1:] == ("dedup", "ok")
    assert json.loads(loraprep("--json", "status", scanned).stdout)["unfinished_runs"] == []
