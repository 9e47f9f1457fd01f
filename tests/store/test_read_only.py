"""A dataset whose .loraprep folder cannot be written: reading commands work, writing ones say why, and no
message suggests moving or deleting the store (it holds the journal).

Tests run as root in CI, where chmod does not stop a write; there the folder is made read-only for real in
two ways: commands run as an unprivileged user (setpriv) on a chmod -R a-w copy, and commands run as root on a
read-only bind mount (a private mount namespace, unshare -m). Each way is skipped, with its reason, where the
machine does not allow it.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import stat
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from tests.conftest import make_image

FORBIDDEN = ("aside", "rebuild it", "rm -rf", "delete the", "remove the")

# A writer killed after a commit that is still only in state.sqlite-wal (no checkpoint, files left behind).
KILLED_WRITER = """
import os, sys
from loraprep.store import journal
from loraprep.store.db import open_store
store = open_store(sys.argv[1])
image_id = store.query("SELECT image_id FROM files WHERE path = ?", ("hats/red hat.png",))[0][0]
store.conn.execute("PRAGMA wal_autocheckpoint = 0")
with store.write() as conn:
    journal.record_batch(conn, "only in the wal", "user", [journal.TagOp(image_id, "wal tag", "add")])
os._exit(0)
"""


def _world_readable_tmp() -> Path:
    folder = Path(tempfile.mkdtemp(prefix="loraprep-ro-"))
    folder.chmod(0o755)
    return folder


def _as_nobody(argv: list[str]) -> list[str]:
    return ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", *argv]


def _in_read_only_mount(folder: Path):
    def wrap(argv: list[str]) -> list[str]:
        return ["unshare", "-m", "sh", "-c", 'mount --bind -o ro "$0" "$0" && exec "$@"', str(folder), *argv]
    return wrap


def _works(argv: list[str]) -> bool:
    try:
        return subprocess.run(argv, capture_output=True, timeout=60).returncode == 0
    except (OSError, subprocess.TimeoutExpired):
        return False


@pytest.fixture(params=[("no write permission", "closed cleanly"), ("read-only mount", "closed cleanly"),
                        ("read-only mount", "writer killed")], ids=lambda p: ", ".join(p))
def read_only(request):
    """(dataset, run, writable export parent, whether a killed writer left changes in the WAL): ``run(*args)``
    runs loraprep where the dataset is read-only."""
    how, last_writer = request.param
    base = _world_readable_tmp()
    root = base / "ds"
    make_image(root / "hats" / "red hat.png", (640, 520), color=(220, 30, 30))
    make_image(root / "hats" / "blue.jpg", (700, 600), color=(30, 30, 220))
    make_image(root / "scarves" / "long scarf.webp", (520, 800), color=(30, 200, 30), fmt="WEBP")
    (root / "hats" / "red hat.txt").write_text("red hat, smile, outdoors", encoding="utf-8")
    (root / "loraprep.toml").write_text('trigger = ["zq hatter"]\n', encoding="utf-8")
    out = base / "exports"
    out.mkdir(mode=0o777)
    out.chmod(0o777)
    python = [sys.executable, "-m", "loraprep"]
    assert subprocess.run([*python, "scan", str(root)], capture_output=True).returncode == 0
    if last_writer == "writer killed":
        assert subprocess.run([sys.executable, "-c", KILLED_WRITER, str(root)]).returncode == 0
        assert (root / ".loraprep" / "state.sqlite-wal").stat().st_size > 0
    else:
        assert not (root / ".loraprep" / "state.sqlite-wal").exists()  # the state SQLite cannot open read-only
    if how == "no write permission":
        wrap = _as_nobody if os.geteuid() == 0 else (lambda argv: argv)
        if os.geteuid() == 0 and not (shutil.which("setpriv") and _works(_as_nobody([*python, "--version"]))):
            pytest.skip("running as root and cannot run loraprep as another user (setpriv, or a readable venv)")
        for path in [root, *root.rglob("*")]:
            path.chmod(stat.S_IMODE(path.stat().st_mode) & ~0o222)
    else:
        wrap = _in_read_only_mount(root)
        if not (shutil.which("unshare") and _works(wrap(["sh", "-c", f"! touch '{root}/.probe'"]))):
            pytest.skip("cannot make a read-only bind mount here (needs unshare -m and mount privileges)")

    def run(*args):
        return subprocess.run(wrap([*python, *map(str, args)]), capture_output=True, text=True, timeout=120)

    yield root, run, out, last_writer == "writer killed"
    for path in [root, *root.rglob("*")]:
        path.chmod(stat.S_IMODE(path.stat().st_mode) | 0o200)
    shutil.rmtree(base, ignore_errors=True)


def _digest(root: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in (root / ".loraprep").glob("state.sqlite*")}


def test_reading_commands_work_and_writes_say_why_they_cannot(read_only):
    root, run, out, wal = read_only
    before = _digest(root)
    status = run("--json", "status", root)
    assert status.returncode == 0, status.stderr
    assert json.loads(status.stdout)["totals"]["images"] == 3
    history = run("--json", "history", root)
    assert history.returncode == 0, history.stderr
    assert ("only in the wal" in [b["label"] for b in json.loads(history.stdout)]) == wal  # the WAL is read
    for args in (("tags", root), ("plan", root), ("caption", root, "hats/red hat.png")):
        done = run(*args)
        assert done.returncode == 0, (args, done.stderr)
    assert ("wal tag" in run("caption", root, "hats/red hat.png").stdout) == wal
    export = run("export", root, out / "kohya", "--copy")
    assert export.returncode == 0, export.stderr
    captions = sorted(p.read_text(encoding="utf-8") for p in (out / "kohya").rglob("*.txt"))
    assert len(captions) == 3 and all(c.startswith("zq hatter") for c in captions)
    for args in (("scan", root), ("edit-tags", root, "add", "new tag", "-y"), ("undo", root)):
        done = run(*args)
        assert done.returncode == 1, (args, done.stdout, done.stderr)
        message = done.stderr.lower()
        assert "read-only" in message and ".loraprep" in message, (args, done.stderr)
        assert "traceback" not in message and not any(word in message for word in FORBIDDEN), done.stderr
    assert _digest(root) == before
