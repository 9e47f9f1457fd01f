"""Open a dataset's state store: .loraprep/state.sqlite in WAL mode, migrated, with short write transactions."""

from __future__ import annotations

import contextlib
import importlib
import sqlite3
from datetime import datetime, timezone
from pathlib import Path
from typing import Iterator

from loraprep import settings
from loraprep.errors import DatasetError
from loraprep.store.schema import CONVERSIONS, MIGRATIONS, SCHEMA_VERSION

STATE_DIR = ".loraprep"
DB_NAME = "state.sqlite"


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


def state_dir(root: Path) -> Path:
    return root / STATE_DIR


class Store:
    """A connection to one dataset's state database; writes go through ``write()`` transactions."""

    def __init__(self, root: Path, conn: sqlite3.Connection):
        self.root = root
        self.conn = conn

    @property
    def state_dir(self) -> Path:
        return state_dir(self.root)

    @contextlib.contextmanager
    def write(self) -> Iterator[sqlite3.Connection]:
        """One short IMMEDIATE transaction: other processes wait (busy timeout), never interleave."""
        self.conn.execute("BEGIN IMMEDIATE")
        try:
            yield self.conn
        except BaseException:
            self.conn.rollback()
            raise
        else:
            self.conn.commit()

    def query(self, sql: str, params: tuple | dict = ()) -> list[sqlite3.Row]:
        return self.conn.execute(sql, params).fetchall()

    def close(self) -> None:
        self.conn.close()

    def __enter__(self) -> "Store":
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def open_store(path: str | Path, *, create: bool = False) -> Store:
    """Open (and with ``create`` make) the state store of the dataset at ``path``."""
    root = dataset_root(path)
    folder = state_dir(root)
    db_path = folder / DB_NAME
    if not db_path.exists():
        if not create:
            raise DatasetError(
                f"{root} has not been scanned yet (no {STATE_DIR}/{DB_NAME})",
                hint=f"run `loraprep scan {root}` first",
            )
        try:
            folder.mkdir(exist_ok=True)
        except OSError as exc:
            raise DatasetError(f"cannot create {folder}: {exc.strerror}", hint="check the folder's permissions") from exc
    try:
        conn = sqlite3.connect(db_path, timeout=settings.busy_timeout_ms() / 1000, isolation_level=None,
                               check_same_thread=False)
        conn.row_factory = sqlite3.Row
        conn.execute(f"PRAGMA busy_timeout = {settings.busy_timeout_ms()}")
        conn.execute("PRAGMA journal_mode = WAL")
        conn.execute("PRAGMA foreign_keys = ON")
        conn.execute("PRAGMA synchronous = NORMAL")
        _migrate(conn, db_path)
    except sqlite3.DatabaseError as exc:
        raise DatasetError(
            f"the state store {db_path} is unreadable: {exc}",
            hint=f"move {folder} aside and run `loraprep scan {root}` to rebuild it",
        ) from exc
    return Store(root, conn)


def _migrate(conn: sqlite3.Connection, db_path: Path) -> None:
    version = conn.execute("PRAGMA user_version").fetchone()[0]
    if version > SCHEMA_VERSION:
        raise DatasetError(
            f"{db_path} was written by a newer loraprep (schema {version}, this one knows {SCHEMA_VERSION})",
            hint="upgrade loraprep: pip install -U loraprep",
        )
    if version == SCHEMA_VERSION:
        return
    conn.execute("BEGIN IMMEDIATE")
    try:
        # Re-read under the lock: another process may have migrated meanwhile.
        version = conn.execute("PRAGMA user_version").fetchone()[0]
        for index in range(version, SCHEMA_VERSION):
            for statement in MIGRATIONS[index].split(";"):
                if statement.strip():
                    conn.execute(statement)
            if index + 1 in CONVERSIONS:
                module, function = CONVERSIONS[index + 1]
                getattr(importlib.import_module(module), function)(conn)
            conn.execute(f"PRAGMA user_version = {index + 1}")
        conn.commit()
    except BaseException:
        conn.rollback()
        raise
