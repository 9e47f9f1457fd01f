"""Shared by the reliability checks: run loraprep in a child process, find its process tree, kill it, and
check that a store is consistent afterwards."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

from tests.conftest import make_image


def loraprep(*args, env: dict | None = None, timeout: float = 120) -> subprocess.CompletedProcess:
    """One loraprep command in its own process, as a person runs it."""
    return subprocess.run([sys.executable, "-m", "loraprep", *map(str, args)], capture_output=True, text=True,
                          timeout=timeout, env={**os.environ, **(env or {})})


def start(*args, env: dict | None = None) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "loraprep", *map(str, args)], stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE, text=True, env={**os.environ, **(env or {})})


def make_dataset(root: Path, count: int, *, seed: int = 0, size: int = 160, captions: bool = True) -> Path:
    """``count`` small PNG/JPEG images over two concepts, every third one a near-duplicate of the one before,
    some with a caption; colours and sizes vary with ``seed``."""
    import random

    rng = random.Random(seed)
    for i in range(count):
        concept = "alpha" if i % 2 else "beta"
        twin = i % 3 == 2
        colour = (rng.randrange(256), rng.randrange(256), rng.randrange(256)) if not twin else colour
        side = size + rng.randrange(0, 40) if not twin else side + 8
        suffix = ".jpg" if rng.random() < 0.3 else ".png"
        path = make_image(root / concept / f"img_{seed}_{i:04d}{suffix}", (side, side + i % 7), color=colour)
        if captions and i % 4 == 0:
            path.with_suffix(".txt").write_text(f"tag {i % 5}, shared, {concept} look", encoding="utf-8")
    return root


def _stat(pid: int | str) -> list[str] | None:
    """/proc/<pid>/stat from field 3 on (the name in field 2 may hold spaces); None when there is no such
    process."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return stat[stat.rfind(")") + 2:].split()


def start_time(pid: int) -> int | None:
    """When ``pid`` started (clock ticks since boot); None when it is gone or only its zombie is left."""
    fields = _stat(pid)
    return None if fields is None or fields[0] in ("Z", "X") else int(fields[19])


def children(pid: int) -> list[int]:
    """The direct children of ``pid``, from /proc."""
    found = []
    for entry in os.listdir("/proc"):
        fields = _stat(entry) if entry.isdigit() else None
        if fields is not None and int(fields[1]) == pid:
            found.append(int(entry))
    return found


def descendants(pid: int) -> dict[int, int | None]:
    """Every process below ``pid`` with its start time (so a recycled pid is not mistaken for it later)."""
    tree, todo = {}, [pid]
    while todo:
        for child in children(todo.pop()):
            tree[child] = start_time(child)
            todo.append(child)
    return tree


def wait_for_tree(proc: subprocess.Popen, depth: int, timeout: float) -> dict[int, int | None]:
    """Wait until ``proc`` has processes ``depth`` levels below it (2: a fork server's workers); {} when it
    ended or the time ran out first."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and proc.poll() is None:
        level, tree = [proc.pid], {}
        for _ in range(depth):
            level = [c for p in level for c in children(p)]
        if level:
            return descendants(proc.pid)
        time.sleep(0.02)
    return tree


def survivors(tree: dict[int, int | None], timeout: float) -> list[int]:
    """The processes of ``tree`` still running after up to ``timeout`` seconds; those are then killed, so a
    failing check leaves nothing behind."""
    deadline = time.monotonic() + timeout
    while True:
        alive = [pid for pid, started in tree.items() if started is not None and start_time(pid) == started]
        if not alive or time.monotonic() > deadline:
            break
        time.sleep(0.05)
    for pid in alive:
        try:
            os.kill(pid, signal.SIGKILL)
        except OSError:
            pass
    return alive


def kill9(proc: subprocess.Popen) -> None:
    proc.kill()
    proc.wait(10)


def check_store(root: Path) -> None:
    """The store after a kill: intact pages, every reference resolving, every journal batch whole, every live
    file row pointing at a file that exists."""
    conn = sqlite3.connect(root / ".loraprep" / "state.sqlite")
    try:
        assert conn.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        assert conn.execute("PRAGMA foreign_key_check").fetchall() == []
        if conn.execute("PRAGMA user_version").fetchone()[0] == 0:
            return                   # killed before its schema was committed: an empty store, the next run sets it up
        empty = conn.execute(
            "SELECT id, label FROM batches b WHERE NOT EXISTS (SELECT 1 FROM tag_ops t WHERE t.batch_id = b.id)"
            " AND NOT EXISTS (SELECT 1 FROM tag_op_sets s WHERE s.batch_id = b.id)"
            " AND NOT EXISTS (SELECT 1 FROM file_ops f WHERE f.batch_id = b.id)").fetchall()
        assert empty == [], f"journal batches without their operations: {empty}"
        counted = conn.execute("SELECT seq, count, length(images) FROM tag_op_sets").fetchall()
        assert all(count > 0 and size > 0 for _, count, size in counted)
        missing = [path for (path,) in conn.execute("SELECT path FROM files WHERE status != 'gone'")
                   if not (root / path).is_file()]
        assert missing == [], f"file rows whose file is not there: {missing}"
        dangling = conn.execute("SELECT path FROM files WHERE image_id IS NOT NULL AND image_id NOT IN"
                                " (SELECT id FROM images)").fetchall()
        assert dangling == []
    finally:
        conn.close()


def runs(root: Path) -> list[tuple]:
    conn = sqlite3.connect(root / ".loraprep" / "state.sqlite")
    try:
        return conn.execute("SELECT id, command, outcome FROM runs ORDER BY id").fetchall()
    finally:
        conn.close()
