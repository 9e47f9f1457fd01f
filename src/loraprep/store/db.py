"""Open a dataset's state store: .loraprep/state.sqlite in WAL mode, migrated, with short write transactions."""

from __future__ import annotations

import contextlib
import importlib
import os
import sqlite3
from datetime import datetime, timezone
from pathlib import Path
from typing import Iterator

from loraprep import settings
from loraprep.errors import DatasetError, ReadOnlyError, disk_full_error, is_disk_full
from loraprep.store.read_only import open_read_only, read_only_error, read_only_reason
from loraprep.store.schema import CONVERSIONS, MIGRATIONS, SCHEMA_VERSION

STATE_DIR = ".loraprep"
DB_NAME = "state.sqlite"
DATASET_FILE = "dataset.txt"  # in a state folder outside the dataset: the dataset it serves
_SQLITE_READONLY = 8   # primary result codes; the extended ones (READONLY_DIRECTORY, ...) share their low byte
_SQLITE_IOERR = 10
_NEARLY_FULL = 1 << 20  # bytes left on a disk below which an I/O error is taken for a full disk


def now() -> str:
    """UTC timestamp used for every recorded event."""
    return datetime.now(timezone.utc).isoformat(timespec="milliseconds")


def dataset_root(path: str | Path) -> Path:
    """Resolve and check a dataset folder; a clear DatasetError when it is not one."""
    root = Path(path).expanduser()
    if not root.exists():
        raise DatasetError(f"dataset folder not found: {root}", hint="check the path, e.g. `loraprep scan ./my_lora`")
    if not root.is_dir():
        raise DatasetError(f"not a folder: {root}", hint="pass the folder that holds your images, not a file")
    return root.resolve()


_state_dir_override: Path | None = None  # set by ``state_dir_at`` (the CLI's --state-dir)


@contextlib.contextmanager
def state_dir_at(folder: str | Path | None) -> Iterator[None]:
    """Inside this block every dataset's state lives in ``folder`` instead of DATASET/.loraprep (None: no
    change). Process-wide, not per thread: the editor's server threads open the same store."""
    global _state_dir_override
    before = _state_dir_override
    if folder is not None:
        _state_dir_override = Path(folder).expanduser().absolute()
    try:
        yield
    finally:
        _state_dir_override = before


def state_dir(root: Path) -> Path:
    """Where a dataset's state lives: --state-dir, else LORAPREP_STATE_DIR, else DATASET/.loraprep. The one place
    that decides it; a state folder elsewhere serves one dataset (its DATASET_FILE says which)."""
    if _state_dir_override is not None:
        return _state_dir_override
    configured = settings.state_dir()
    return Path(configured).expanduser().absolute() if configured else root / STATE_DIR


def _state_dir_flag(folder: Path, root: Path) -> str:
    return "" if folder == root / STATE_DIR else f" --state-dir {folder}"


def _check_owner(folder: Path, root: Path, create: bool) -> None:
    """A state folder outside the dataset names the dataset it serves: one folder for two datasets would mix
    their files and journals, so a second dataset is refused."""
    if folder == root / STATE_DIR:
        return
    marker = folder / DATASET_FILE
    try:
        owner = marker.read_text(encoding="utf-8").strip()
    except FileNotFoundError:
        if create:
            from loraprep.store.atomic import write_text_atomic

            try:
                write_text_atomic(marker, str(root) + "\n")
            except OSError:  # a read-only state folder: opening the store says so, more usefully
                pass
        return
    except OSError as exc:
        raise DatasetError(f"cannot read {marker}: {exc.strerror}", hint="check the folder's permissions") from exc
    if owner != str(root):
        raise DatasetError(
            f"the state folder {folder} holds the state of another dataset ({owner}), not of {root}",
            hint=f"give each dataset its own --state-dir; if {root} is that dataset moved, write its new path "
                 f"into {marker}")


class Store:
    """A connection to one dataset's state database; writes go through ``write()`` transactions."""

    def __init__(self, root: Path, conn: sqlite3.Connection, read_only: str | None = None):
        self.root = root
        self.conn = conn
        self.read_only = read_only  # why this store cannot be written (opened read-only); None when it can
        self.state_dir = state_dir(root)  # fixed at opening: a thread started later sees the same folder

    @property
    def db_path(self) -> Path:
        return self.state_dir / DB_NAME

    @contextlib.contextmanager
    def write(self) -> Iterator[sqlite3.Connection]:
        """One short IMMEDIATE transaction: other processes wait (busy timeout), never interleave. A store that
        cannot be written, or a full disk, is a DatasetError / DiskFullError that says so."""
        if self.read_only:
            raise read_only_error(self.db_path, self.read_only)
        try:
            self.conn.execute("BEGIN IMMEDIATE")
            try:
                yield self.conn
            except BaseException:
                self.conn.rollback()
                raise
            try:
                self.conn.commit()
            except BaseException:
                if self.conn.in_transaction:
                    self.conn.rollback()
                raise
        except sqlite3.OperationalError as exc:
            failure = _write_failure(self.db_path, exc)
            if failure is None:
                raise
            raise failure from exc

    def query(self, sql: str, params: tuple | dict = ()) -> list[sqlite3.Row]:
        return self.conn.execute(sql, params).fetchall()

    def close(self) -> None:
        self.conn.close()

    def __enter__(self) -> "Store":
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def open_store(path: str | Path, *, create: bool = False) -> Store:
    """Open (and with ``create`` make) the state store of the dataset at ``path``. A store in a folder this
    process cannot write is opened read-only: reading commands work, writes say why they cannot happen."""
    root = dataset_root(path)
    folder = state_dir(root)
    db_path = folder / DB_NAME
    if not db_path.exists():
        if not create:
            raise DatasetError(
                f"{root} has not been scanned yet (no {db_path})",
                hint=f"run `loraprep scan {root}{_state_dir_flag(folder, root)}` first",
            )
        try:
            folder.mkdir(parents=folder != root / STATE_DIR, exist_ok=True)
        except OSError as exc:
            raise DatasetError(f"cannot create {folder}: {exc.strerror}", hint="check the folder's permissions") from exc
    _check_owner(folder, root, create)
    try:
        conn = sqlite3.connect(db_path, timeout=settings.busy_timeout_ms() / 1000, isolation_level=None,
                               check_same_thread=False)
        try:
            _configure(conn)
            conn.execute("PRAGMA journal_mode = WAL")
            conn.execute("PRAGMA synchronous = NORMAL")
            _migrate(conn, db_path)
        except BaseException:
            conn.close()
            raise
    except sqlite3.OperationalError as exc:
        why = read_only_reason(db_path)
        if why and db_path.exists():
            return Store(root, _open_read_only(db_path), read_only=why)
        raise _write_failure(db_path, exc) or _unreadable(db_path, exc) from exc
    except sqlite3.DatabaseError as exc:
        raise _unreadable(db_path, exc) from exc
    return Store(root, conn)


def _open_read_only(db_path: Path) -> sqlite3.Connection:
    try:
        conn = open_read_only(db_path, settings.busy_timeout_ms() / 1000)
    except sqlite3.DatabaseError as exc:
        raise _unreadable(db_path, exc) from exc
    try:
        _configure(conn)
        version = conn.execute("PRAGMA user_version").fetchone()[0]
        _refuse_newer(version, db_path)
        if version < SCHEMA_VERSION:
            raise ReadOnlyError(
                f"{db_path} was written by an older loraprep (schema {version}, this one reads {SCHEMA_VERSION}) "
                "and has to be upgraded once, which needs write access to the read-only .loraprep folder",
                hint="make the folder writable once and run `loraprep status` on the dataset (that upgrades the "
                     "store); it reads fine read-only after that")
    except BaseException:
        conn.close()
        raise
    return conn


def _configure(conn: sqlite3.Connection) -> None:
    conn.row_factory = sqlite3.Row
    conn.execute(f"PRAGMA busy_timeout = {settings.busy_timeout_ms()}")
    conn.execute("PRAGMA foreign_keys = ON")
    # An INSERT OR REPLACE deletes the row it replaces: with this on, that runs the delete triggers, which the
    # health report's tally needs to move the replaced row's counts (schema v11).
    conn.execute("PRAGMA recursive_triggers = ON")


def _unreadable(db_path: Path, exc: Exception) -> DatasetError:
    # Never advise moving or deleting the folder: it holds the edit journal, which nothing else can rebuild.
    return DatasetError(
        f"the state store {db_path} is unreadable: {exc}",
        hint=f"keep {db_path.parent} as it is (it holds your edit journal); restore {DB_NAME} from a backup, or "
             f"copy it and try `sqlite3 {DB_NAME} .recover` on the copy; LORAPREP_DEBUG=1 shows the details",
    )


def _refuse_newer(version: int, db_path: Path) -> None:
    if version > SCHEMA_VERSION:
        raise DatasetError(
            f"{db_path} was written by a newer loraprep (schema {version}, this one knows {SCHEMA_VERSION})",
            hint="upgrade loraprep: pip install -U loraprep",
        )


def _migrate(conn: sqlite3.Connection, db_path: Path) -> None:
    version = conn.execute("PRAGMA user_version").fetchone()[0]
    _refuse_newer(version, db_path)
    if version == SCHEMA_VERSION:
        return
    conn.execute("BEGIN IMMEDIATE")
    try:
        # Re-read under the lock: another process may have migrated meanwhile.
        version = conn.execute("PRAGMA user_version").fetchone()[0]
        for index in range(version, SCHEMA_VERSION):
            for statement in _statements(MIGRATIONS[index]):
                conn.execute(statement)
            if index + 1 in CONVERSIONS:
                module, function = CONVERSIONS[index + 1]
                getattr(importlib.import_module(module), function)(conn)
            conn.execute(f"PRAGMA user_version = {index + 1}")
        conn.commit()
    except BaseException:
        conn.rollback()
        raise


def _statements(script: str) -> list[str]:
    """A migration's statements: split at semicolons, rejoined where one falls inside a statement (a
    trigger's body)."""
    statements, pending = [], ""
    for piece in script.split(";"):
        pending += piece + ";"
        if sqlite3.complete_statement(pending):
            if pending.strip(" \n;"):
                statements.append(pending)
            pending = ""
    if pending.strip(" \n;"):
        statements.append(pending)
    return statements


def _write_failure(db_path: Path, exc: sqlite3.OperationalError) -> Exception | None:
    """What a failed store write means for the user: a full disk or a read-only folder; None otherwise."""
    code = getattr(exc, "sqlite_errorcode", 0) or 0
    # A full disk reaches SQLite as SQLITE_FULL, or, when growing the WAL index fails, as a plain I/O error.
    if is_disk_full(exc) or (code & 0xFF == _SQLITE_IOERR and _space_left(db_path.parent) < _NEARLY_FULL):
        return disk_full_error(str(db_path))
    if code & 0xFF == _SQLITE_READONLY or "readonly database" in str(exc):
        return read_only_error(db_path, read_only_reason(db_path) or str(exc))
    return None


def _space_left(folder: Path) -> int:
    try:
        info = os.statvfs(folder)
    except (OSError, AttributeError):  # no statvfs (Windows): nothing to tell
        return _NEARLY_FULL
    return info.f_bavail * info.f_frsize


def data_version(conn: sqlite3.Connection) -> int:
    """SQLite's counter of commits made by other connections: unchanged means nothing to reload."""
    return conn.execute("PRAGMA data_version").fetchone()[0]
