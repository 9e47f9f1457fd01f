"""Run Python code in a child process with a wall-clock and memory bound: a hang or a runaway read fails the test
instead of hanging the suite (a FIFO blocks an open forever; /dev/zero never ends)."""

from __future__ import annotations

import json
import subprocess
import sys

MEMORY_LIMIT = 3 << 30  # a regression that reads /dev/zero hits this in seconds instead of filling the machine


def _limit_memory() -> None:  # pragma: no cover - runs in the child
    import resource

    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT, MEMORY_LIMIT))


def run_bounded(code: str, *, timeout: float = 60) -> object:
    """Run ``code`` (which prints one JSON document last) in a child; its parsed output, or an AssertionError."""
    try:
        done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=timeout,
                              preexec_fn=_limit_memory)
    except subprocess.TimeoutExpired:
        raise AssertionError(f"did not finish within {timeout} s (a special file was read?)") from None
    assert done.returncode == 0, f"child failed ({done.returncode}):\n{done.stderr[-3000:]}"
    return json.loads(done.stdout.strip().splitlines()[-1])
