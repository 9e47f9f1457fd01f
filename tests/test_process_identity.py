"""Telling a process from a later one with the same pid: start times from /proc, zombies, reaped children."""

from __future__ import annotations

import os
import subprocess
import sys
import time

import pytest

from loraprep.process_identity import ProcessIdentity, alive, current, start_time

pytestmark = pytest.mark.skipif(not os.path.exists("/proc/self/stat"), reason="Linux /proc")

RENAMES_ITSELF = """
import sys
sys.stdin.readline()
with open("/proc/self/comm", "w") as comm:
    comm.write(sys.argv[1])
print("renamed", flush=True)
sys.stdin.readline()
"""


@pytest.mark.parametrize("name", ["a) b (c", "x y) 1 2 3", ")"])
def test_start_time_survives_odd_process_names(name):
    child = subprocess.Popen([sys.executable, "-c", RENAMES_ITSELF, name], stdin=subprocess.PIPE,
                             stdout=subprocess.PIPE, text=True)
    try:
        before = start_time(child.pid)
        child.stdin.write("\n")
        child.stdin.flush()
        assert child.stdout.readline().strip() == "renamed"
        with open(f"/proc/{child.pid}/comm") as comm:
            assert comm.read().strip() == name
        assert before is not None and start_time(child.pid) == before
    finally:
        child.communicate("\n", timeout=30)


def test_this_process_is_alive_and_a_finished_child_is_not():
    assert alive(current()) is True
    child = subprocess.Popen([sys.executable, "-c", "import sys; sys.stdin.readline()"], stdin=subprocess.PIPE)
    who = ProcessIdentity(child.pid, current().host, current().boot, start_time(child.pid))
    assert alive(who) is True
    child.stdin.close()
    child.wait(30)  # exited and reaped: the pid is free
    assert alive(who) is False


def test_a_zombie_is_not_alive():
    child = subprocess.Popen([sys.executable, "-c", "import sys; sys.stdin.readline()"], stdin=subprocess.PIPE)
    who = ProcessIdentity(child.pid, current().host, current().boot, start_time(child.pid))
    child.stdin.close()
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:  # wait for it to exit without reaping it (no poll/wait)
        with open(f"/proc/{child.pid}/stat") as stat:
            if stat.read().rsplit(")", 1)[1].split()[0] == "Z":
                break
        time.sleep(0.01)
    try:
        assert alive(who) is False
    finally:
        child.wait()
