"""The error contract through the real command-line app (typer's CliRunner): a full disk is named as one,
with where and what to do, exit 1, never "internal error ... report it"."""

from __future__ import annotations

import errno
import shutil
import sqlite3
import subprocess
import sys

import pytest
from typer.testing import CliRunner

from loraprep import ops
from loraprep.cli.app import _register, app


@pytest.fixture
def cli():
    _register()
    runner = CliRunner()
    return lambda *args: runner.invoke(app, [str(a) for a in args])


@pytest.fixture
def scanned(small_dataset):
    ops.scan(small_dataset)
    (small_dataset / "loraprep.toml").write_text('trigger = ["qx person"]\n', encoding="utf-8")
    return small_dataset


def _assert_disk_full(result, where: str, hint: str) -> None:
    assert result.exit_code == 1, result.output
    lines = result.output.strip().splitlines()
    assert lines[0].startswith("error: the disk is full") and where in lines[0], result.output
    assert lines[1].startswith("hint:") and hint in lines[1]
    assert "internal error" not in result.output and "report it" not in result.output


def test_a_store_that_hits_the_size_limit_says_the_disk_is_full(cli, scanned, monkeypatch):
    """A real SQLITE_FULL: the store may not grow by a single page (as on a disk with no room left)."""
    import loraprep.store.db as db

    real = db._configure

    def no_room(conn):
        real(conn)
        pages = conn.execute("PRAGMA page_count").fetchone()[0]
        conn.execute(f"PRAGMA max_page_count = {pages}")

    monkeypatch.setattr(db, "_configure", no_room)
    tags = [f"tag number {i} " + "x" * 200 for i in range(400)]   # more than the free pages can hold
    result = cli("edit-tags", scanned, "add", *tags, "-y")
    _assert_disk_full(result, str(scanned / ".loraprep" / "state.sqlite"), "free some space")


@pytest.mark.parametrize("error", [sqlite3.OperationalError("database or disk is full"),
                                   OSError(errno.ENOSPC, "No space left on device")])
def test_a_full_disk_while_recording_an_edit(cli, scanned, monkeypatch, error):
    from loraprep.store import journal

    def full(*args, **kwargs):
        raise error

    monkeypatch.setattr(journal, "record_batch", full)
    result = cli("edit-tags", scanned, "add", "freckles", "-y")
    assert result.exit_code == 1
    assert "the disk is full" in result.output and "internal error" not in result.output


@pytest.mark.parametrize("quota", [errno.ENOSPC, errno.EDQUOT])
def test_a_full_disk_while_exporting_names_the_export_and_keeps_the_previous_one(cli, scanned, tmp_path,
                                                                                monkeypatch, quota):
    out = tmp_path / "exports" / "kohya run"
    first = cli("export", scanned, out, "--copy")
    assert first.exit_code == 0, first.output
    before = sorted(p.relative_to(out) for p in out.rglob("*"))

    def full(src, dst, *args, **kwargs):
        raise OSError(quota, "No space left on device", str(dst))

    monkeypatch.setattr(shutil, "copyfile", full)
    result = cli("export", scanned, out, "--copy")
    _assert_disk_full(result, str(out), "another disk")
    assert sorted(p.relative_to(out) for p in out.rglob("*")) == before
    assert [p.name for p in out.parent.iterdir()] == [out.name]   # no half-written staging folder left


def test_other_failures_are_still_internal_errors(cli, scanned, monkeypatch):
    from loraprep.store import journal

    def broken(*args, **kwargs):
        raise OSError(errno.EIO, "Input/output error")

    monkeypatch.setattr(journal, "record_batch", broken)
    result = cli("edit-tags", scanned, "add", "freckles", "-y")
    assert result.exit_code == 1 and result.output.startswith("internal error: OSError")


def _tmpfs(size_kb: int, mount_point) -> list[str]:
    return ["unshare", "-m", "sh", "-c", f'mount -t tmpfs -o size={size_kb}k tmpfs "$0" && exec "$@"',
            str(mount_point)]


def test_a_really_full_disk_under_the_store(small_dataset):
    """Without injection: the .loraprep folder on a tiny file system (a private tmpfs mount)."""
    state = small_dataset / ".loraprep"
    state.mkdir()
    probe = subprocess.run([*_tmpfs(64, state), "true"], capture_output=True)
    if probe.returncode != 0 or not shutil.which("unshare"):
        pytest.skip("cannot mount a private tmpfs here (needs unshare -m and mount privileges)")
    result = subprocess.run([*_tmpfs(24, state), sys.executable, "-m", "loraprep", "scan", str(small_dataset)],
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 1, result.stderr
    assert result.stderr.startswith("error: the disk is full") and str(state) in result.stderr, result.stderr
    assert "internal error" not in result.stderr


def test_a_really_full_disk_under_the_export(small_dataset, tmp_path):
    """Without injection: the export folder's disk is a tiny file system (a private tmpfs mount)."""
    exports = tmp_path / "exports"
    exports.mkdir()
    if not shutil.which("unshare") or subprocess.run([*_tmpfs(64, exports), "true"], capture_output=True).returncode:
        pytest.skip("cannot mount a private tmpfs here (needs unshare -m and mount privileges)")
    (small_dataset / "loraprep.toml").write_text('trigger = ["qx person"]\n', encoding="utf-8")
    assert subprocess.run([sys.executable, "-m", "loraprep", "scan", str(small_dataset)],
                          capture_output=True).returncode == 0
    out = exports / "for kohya"
    result = subprocess.run([*_tmpfs(24, exports), sys.executable, "-m", "loraprep", "export", str(small_dataset),
                             str(out), "--copy"], capture_output=True, text=True, timeout=120)
    assert result.returncode == 1, result.stderr
    assert result.stderr.startswith(f"error: the disk is full while writing {out}"), result.stderr
    assert "another disk" in result.stderr and "internal error" not in result.stderr
