"""Worker processes die with their owner: the watcher thread on its own (the portable path), and a real
dedup worker pool whose owner is killed with SIGKILL."""

from __future__ import annotations

import subprocess
import sys
import time

import pytest

from tests.reliability.helpers import descendants, kill9, survivors

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads the process tree from /proc")

# A worker tied to an owner that is NOT its parent: only the watcher thread can notice the owner's death.
TIED_TO_OWNER = """
import sys, time
from loraprep.lifeline import tie_to
from loraprep.process_identity import ProcessIdentity, current, start_time
owner_pid = int(sys.argv[1])
tie_to(ProcessIdentity(owner_pid, current().host, current().boot, start_time(owner_pid)))
print("tied", flush=True)
time.sleep(60)
"""

# The dedup worker pool with two long tasks, started by a process that is then killed.
POOL_OWNER = """
import time
from loraprep.dedup import batch
if __name__ == "__main__":
    with batch._process_pool(2) as pool:
        futures = [pool.submit(time.sleep, 60) for _ in range(2)]
        while len(pool._processes) < 2:
            time.sleep(0.01)
        print(*pool._processes, flush=True)
        time.sleep(60)
"""


def test_the_watcher_ends_a_worker_whose_owner_died():
    owner = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    worker = subprocess.Popen([sys.executable, "-c", TIED_TO_OWNER, str(owner.pid)], stdout=subprocess.PIPE,
                              text=True)
    try:
        assert worker.stdout.readline().strip() == "tied"
        time.sleep(0.5)
        assert worker.poll() is None      # the owner lives: the worker goes on
        kill9(owner)
        from loraprep.lifeline import ORPHANED_EXIT, POLL_S

        assert worker.wait(timeout=POLL_S * 20) == ORPHANED_EXIT
    finally:
        for proc in (owner, worker):
            if proc.poll() is None:
                kill9(proc)


def test_a_pool_of_workers_dies_with_its_killed_owner(tmp_path):
    script = tmp_path / "owner.py"
    script.write_text(POOL_OWNER)
    owner = subprocess.Popen([sys.executable, str(script)], stdout=subprocess.PIPE, text=True)
    try:
        workers = [int(pid) for pid in owner.stdout.readline().split()]
        assert len(workers) == 2
        tree = descendants(owner.pid)     # the workers, and the fork server and resource tracker if any
        assert set(workers) <= set(tree)
    finally:
        kill9(owner)
    assert survivors(tree, timeout=5) == []
