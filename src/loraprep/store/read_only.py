"""A state store this process cannot write (a read-only mount, no write permission): open it for reading.

SQLite's rules for a WAL database without write access (https://www.sqlite.org/wal.html, "Read-Only
Databases", since 3.22): it opens read-only when its -wal and -shm files already exist or can be created, or
when it is opened as immutable. A store whose last writer closed cleanly has neither file, and a read-only
folder cannot get them, so ``mode=ro`` fails there and ``immutable=1`` is the way in. Immutable skips the
-wal file, so it is used only when there is no -wal content that it would hide.
"""

from __future__ import annotations

import getpass
import os
import sqlite3
from pathlib import Path

from loraprep.errors import DatasetError, ReadOnlyError

_MOUNTED = "it is on a read-only file system"


def read_only_reason(db_path: Path) -> str | None:
    """Why the store at ``db_path`` cannot be written, or None when nothing says it cannot."""
    folder = db_path.parent
    try:
        if os.statvfs(folder).f_flag & os.ST_RDONLY:
            return _MOUNTED
    except (OSError, AttributeError):  # no statvfs on this platform; the permission check still applies
        pass
    for path in (folder, db_path):
        if path.exists() and not os.access(path, os.W_OK):
            return f"user {_user()} has no write permission on {path.name}"
    return None


def read_only_error(db_path: Path, why: str) -> ReadOnlyError:
    """A write that cannot happen: say why, and how to make it possible without losing the journal."""
    folder = db_path.parent
    if why == _MOUNTED:
        how = "remount that disk read-write"
    else:
        how = f"give yourself write access (`chmod -R u+w {folder}`, or run as the folder's owner)"
    return ReadOnlyError(
        f"the dataset's .loraprep folder is read-only ({why}): this command has to record its work in {folder}",
        hint=f"{how}, or copy the whole dataset, .loraprep included, somewhere writable; status, tags, caption, "
             "plan, history and export to another folder work on it as it is",
    )


def open_read_only(db_path: Path, timeout_s: float) -> sqlite3.Connection:
    """A read-only connection to the store at ``db_path`` (see the module docstring for the two ways in)."""
    uri = db_path.resolve().as_uri()
    hidden_changes = _wal_has_content(db_path)
    failure: sqlite3.Error | None = None
    for query in ("mode=ro",) if hidden_changes else ("mode=ro", "immutable=1"):
        conn = sqlite3.connect(f"{uri}?{query}", uri=True, timeout=timeout_s, isolation_level=None,
                               check_same_thread=False)
        try:
            conn.execute("SELECT COUNT(*) FROM sqlite_master").fetchone()  # the -wal / -shm files open here
            return conn
        except sqlite3.Error as exc:
            conn.close()
            failure = exc
    if hidden_changes:
        raise DatasetError(
            f"{db_path}-wal holds changes that can only be read with write access to {db_path.parent}",
            hint="make the folder writable once: any loraprep command then folds them into "
                 f"{db_path.name}, and the dataset reads fine read-only after that")
    assert failure is not None
    raise failure


def _wal_has_content(db_path: Path) -> bool:
    try:
        return db_path.with_name(db_path.name + "-wal").stat().st_size > 0
    except OSError:
        return False


def _user() -> str:
    """The effective user's name (not $USER, which su and setpriv leave as it was)."""
    if not hasattr(os, "geteuid"):
        return getpass.getuser()
    try:
        import pwd

        return pwd.getpwuid(os.geteuid()).pw_name
    except (KeyError, ImportError):  # no passwd entry for this uid (containers)
        return str(os.geteuid())
