"""The runs table: a run whose process died without an outcome is marked interrupted by the next one, and
only then; a live run, a recycled pid and a run on another machine are told apart."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys

import pytest

from loraprep import ops
from loraprep.process_identity import current
from loraprep.store.db import open_store
from loraprep.store.runs import start_run, unfinished_runs

STARTS_A_RUN = """
import os, signal, sys
from loraprep.store.db import open_store
from loraprep.store.runs import start_run
store = open_store(sys.argv[1])
start_run(store, sys.argv[2], {})
if sys.argv[3] == "kill":
    os.kill(os.getpid(), signal.SIGKILL)
print("started", flush=True)
sys.stdin.readline()
"""


def _outcomes(root) -> list[tuple[str, str | None]]:
    with open_store(root) as store:
        return [(r["command"], r["outcome"]) for r in store.query("SELECT command, outcome FROM runs ORDER BY id")]


def _insert_run(root, command: str, **owner) -> None:
    me = current()
    values = {"pid": me.pid, "host": me.host, "boot_id": me.boot, "pid_start": me.start, **owner}
    with open_store(root) as store, store.write() as conn:
        conn.execute("INSERT INTO runs (command, settings, version, started, pid, host, boot_id, pid_start)"
                     " VALUES (?, '{}', 'test', '2024-01-01T00:00:00', :pid, :host, :boot_id, :pid_start)"
                     .replace("?", repr(command)), values)


@pytest.fixture
def root(tmp_path):
    open_store(tmp_path, create=True).close()
    return tmp_path


def test_a_killed_run_is_marked_interrupted_by_the_next_run(root):
    killed = subprocess.run([sys.executable, "-c", STARTS_A_RUN, str(root), "dedup", "kill"], timeout=60)
    assert killed.returncode == -signal.SIGKILL
    assert _outcomes(root) == [("dedup", None)]
    with open_store(root) as store:
        assert [(r["command"], r["state"]) for r in unfinished_runs(store)] == [("dedup", "interrupted")]
        start_run(store, "scan", {})
    assert _outcomes(root) == [("dedup", "interrupted"), ("scan", None)]


def test_a_run_still_going_in_another_process_is_left_alone(root):
    child = subprocess.Popen([sys.executable, "-c", STARTS_A_RUN, str(root), "tag", "wait"], stdin=subprocess.PIPE,
                             stdout=subprocess.PIPE, text=True)
    try:
        assert child.stdout.readline().strip() == "started"
        with open_store(root) as store:
            start_run(store, "scan", {})
            assert [(r["command"], r["state"], r["pid"]) for r in unfinished_runs(store)] == [
                ("tag", "running", child.pid), ("scan", "running", os.getpid())]
        assert _outcomes(root)[0] == ("tag", None)
    finally:
        child.communicate("\n", timeout=30)
    with open_store(root) as store:  # it ended without an outcome: now it counts as interrupted
        assert unfinished_runs(store)[0]["state"] == "interrupted"
    assert _outcomes(root)[0] == ("tag", "interrupted")


@pytest.mark.skipif(not os.path.exists("/proc/self/stat"), reason="needs process start times from /proc")
def test_a_pid_now_used_by_a_younger_process_counts_as_dead(root):
    _insert_run(root, "scan", pid_start=current().start - 1)   # our pid, but started before us: not us
    _insert_run(root, "dedup")                                 # our pid and start time: us, running
    with open_store(root) as store:
        assert {r["command"]: r["state"] for r in unfinished_runs(store)} == {"scan": "interrupted",
                                                                              "dedup": "running"}


def test_a_run_from_before_a_reboot_is_dead_and_one_from_another_machine_is_not_judged(root):
    if current().boot is None:
        pytest.skip("no boot id on this platform")
    _insert_run(root, "scan", boot_id="a-boot-long-ago")
    _insert_run(root, "tag", host=socket.gethostname() + "-elsewhere")
    with open_store(root) as store:
        start_run(store, "dedup", {})
        assert {r["command"]: r["state"] for r in unfinished_runs(store)} == {
            "scan": "interrupted", "tag": "unknown", "dedup": "running"}
    assert _outcomes(root)[:2] == [("scan", "interrupted"), ("tag", None)]


def test_runs_recorded_before_pids_were_count_as_interrupted(root):
    _insert_run(root, "scan", pid=None, host=None, boot_id=None, pid_start=None)
    with open_store(root) as store:
        start_run(store, "scan", {})
    assert _outcomes(root) == [("scan", "interrupted"), ("scan", None)]


def test_a_dedup_that_fails_records_the_error_instead_of_looking_alive(small_dataset, monkeypatch):
    import loraprep.dedup

    ops.scan(small_dataset)

    def broken(*args, **kwargs):
        raise RuntimeError("a bug in grouping")

    monkeypatch.setattr(loraprep.dedup, "find_duplicate_groups", broken)
    with pytest.raises(RuntimeError):
        ops.dedup(small_dataset)
    assert _outcomes(small_dataset)[-1] == ("dedup", "error")
