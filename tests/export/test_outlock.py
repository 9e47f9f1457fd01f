"""The output lock: one export per folder at a time, held across processes, freed when its holder dies."""

from __future__ import annotations

import signal
import subprocess
import sys
import textwrap

import pytest

from loraprep.errors import ExportError
from loraprep.export.outlock import fcntl, lock_path, output_lock

HOLD = textwrap.dedent("""
    import sys, time
    from pathlib import Path
    from loraprep.export.outlock import output_lock
    with output_lock(Path(sys.argv[1])):
        print("held", flush=True)
        time.sleep(30)
""")


@pytest.mark.skipif(fcntl is None, reason="flock is POSIX only")
def test_a_lock_held_by_another_process_refuses_until_that_process_is_killed(tmp_path):
    out = tmp_path / "out"
    holder = subprocess.Popen([sys.executable, "-c", HOLD, str(out)], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "held"
        with pytest.raises(ExportError, match=f"is running \\(pid {holder.pid}\\)"):
            with output_lock(out):
                pass
    finally:
        holder.send_signal(signal.SIGKILL)
        holder.wait(timeout=10)
    assert lock_path(out).exists()  # a killed holder leaves its file behind ...
    with output_lock(out):  # ... which is no obstacle: the kernel released its lock
        pass
    assert not lock_path(out).exists()


def test_the_lock_is_exclusive_within_a_process_and_removed_on_release(tmp_path):
    out = tmp_path / "out"
    with output_lock(out):
        assert lock_path(out).exists()
        with pytest.raises(ExportError, match="is running"):
            with output_lock(out):
                pass
    assert not lock_path(out).exists()
    with output_lock(out):  # taken again after a release
        assert lock_path(out).read_text().strip().isdigit()
