"""An unfinished scan (crashed, interrupted, killed) shows in status and stops export and run until scan runs again."""

from __future__ import annotations

import importlib
import json
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from loraprep import ops
from loraprep.errors import DatasetError
from loraprep.ops.export import export
from loraprep.ops.run import run
from tests.conftest import make_image


def _dataset(root: Path, count: int) -> Path:
    for i in range(count):
        make_image(root / f"c{i % 2}" / f"{i:03}.png", (800, 800 + i), color=(i * 20 % 256, 50, 90))
        (root / f"c{i % 2}" / f"{i:03}.txt").write_text(f"tag {i}, smile")
    return root


def _crash_on(monkeypatch, nth: int, exc: BaseException) -> None:
    scan_module = importlib.import_module("loraprep.ingest.read")  # scan reads every walked file through read_found there
    real, seen = scan_module.read_file, []

    def read(*args, **kwargs):
        seen.append(1)
        if len(seen) == nth:
            raise exc
        return real(*args, **kwargs)

    monkeypatch.setattr(scan_module, "read_file", read)


@pytest.mark.parametrize("exc, outcome, words", [(RuntimeError("disk went away"), "error", "stopped on an error"),
                                                 (KeyboardInterrupt(), "interrupted", "was interrupted")])
def test_crashed_scan_shows_in_status_and_stops_export_until_scanned_again(tmp_path, monkeypatch, exc, outcome,
                                                                            words):
    root = _dataset(tmp_path / "ds", 6)
    ops.scan(root)
    (root / "c0" / "000.txt").write_text("changed, tags")
    make_image(root / "c1" / "new.png", (900, 900))
    (root / "c1" / "new.txt").write_text("new, image")
    _crash_on(monkeypatch, 1, exc)
    with pytest.raises(type(exc)):
        ops.scan(root)
    monkeypatch.undo()
    unfinished = ops.status(root)["unfinished_scan"]
    assert unfinished["outcome"] == outcome and words in unfinished["message"]
    assert unfinished["hint"] == f"run `loraprep scan {root}` again"
    out = tmp_path / "out"
    with pytest.raises(DatasetError) as refused:
        export(root, out)
    assert "the last scan" in refused.value.message and "did not finish" in refused.value.message
    assert "loraprep scan" in refused.value.hint and not out.exists()
    assert ops.scan(root)["unfinished_scan"] is None and ops.status(root)["unfinished_scan"] is None
    export(root, out)
    assert len(list(out.rglob("*.png"))) == 7


def test_killed_scan_shows_in_status_and_the_cli_refuses_export(tmp_path):
    root = _dataset(tmp_path / "ds", 5)
    # A real kill -9 part-way through: the run row is left without an outcome.
    code = ("import importlib, os, signal\nfrom loraprep import ops\ns = importlib.import_module('loraprep.ingest.read')\n"
            "def read(*a, **k):\n    os.kill(os.getpid(), signal.SIGKILL)\n"
            f"s.read_file = read\nops.scan({str(root)!r})\n")
    child = subprocess.run([sys.executable, "-c", code], capture_output=True, timeout=60)
    assert child.returncode == -signal.SIGKILL
    cli = [sys.executable, "-m", "loraprep"]
    shown = subprocess.run([*cli, "status", str(root)], capture_output=True, text=True, timeout=60)
    assert shown.returncode == 0 and "unfinished scan" in shown.stdout and "it was interrupted (killed" in shown.stdout
    status = json.loads(subprocess.run([*cli, "status", str(root), "--json"], capture_output=True, text=True,
                                       timeout=60).stdout)
    assert status["unfinished_scan"]["outcome"] == "interrupted"      # its process is gone: not "running"
    out = tmp_path / "out"
    refused = subprocess.run([*cli, "export", str(root), str(out)], capture_output=True, text=True, timeout=60)
    assert refused.returncode == 1 and "did not finish" in refused.stderr
    assert f"loraprep scan {root}" in refused.stderr and "Traceback" not in refused.stderr and not out.exists()


def test_run_scans_again_and_stops_when_its_own_scan_fails(tmp_path, monkeypatch):
    root = _dataset(tmp_path / "ds", 4)
    _crash_on(monkeypatch, 2, RuntimeError("boom"))
    out = tmp_path / "out"
    with pytest.raises(RuntimeError):
        run(root, out)
    assert not out.exists() and ops.status(root)["unfinished_scan"]["outcome"] == "error"
