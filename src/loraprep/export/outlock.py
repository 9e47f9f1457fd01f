"""One export at a time per output folder: a lock file beside it, held from the folder check to the swap.

While it is held, every staging or set-aside sibling of the folder belongs to no running export, so recovery may
restore or remove it. The lock is an advisory ``flock`` on ``.OUT.loraprep-lock`` (released by the kernel when a
killed process dies); the file is removed on release, and a taker checks that the file it locked is still the one
at that path, so removal never lets two holders in. Where ``fcntl`` is missing, the file is created exclusively and
records the holder's pid; a file whose pid is gone is taken over.
"""

from __future__ import annotations

import os
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from loraprep.errors import ExportError

try:
    import fcntl
except ImportError:  # Windows
    fcntl = None  # type: ignore[assignment]


def lock_path(out: Path) -> Path:
    return out.parent / f".{out.name}.loraprep-lock"


@contextmanager
def output_lock(out: Path) -> Iterator[None]:
    """Hold the export lock of ``out`` (its parent folder must exist); refuse at once if another export holds it."""
    path = lock_path(out)
    fd = _acquire(path, out)
    try:
        yield
    finally:
        try:
            os.unlink(path)
        except OSError:
            pass
        os.close(fd)


def _acquire(path: Path, out: Path) -> int:
    for _ in range(20):  # only a holder releasing between our open and our lock makes us retry
        fd = _open(path, out)
        if fd is None:
            continue
        if fcntl is not None:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                holder = _read_pid(fd)
                os.close(fd)
                raise _busy(out, holder) from None
            if not _still_at(fd, path):
                os.close(fd)
                continue
        os.ftruncate(fd, 0)
        os.write(fd, f"{os.getpid()}\n".encode())
        return fd
    raise _busy(out, None)


def _open(path: Path, out: Path) -> int | None:
    try:
        if fcntl is not None:
            return os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
        return os.open(path, os.O_RDWR | os.O_CREAT | os.O_EXCL, 0o644)
    except FileExistsError:
        holder = _pid_in(path)
        if holder is not None and pid_alive(holder):
            raise _busy(out, holder) from None
        try:
            os.unlink(path)
        except OSError:
            pass
        return None
    except OSError as exc:
        raise ExportError(f"cannot write beside the output folder {out}: {exc.strerror or exc}",
                          hint="choose an output folder in a writable place") from exc


def _still_at(fd: int, path: Path) -> bool:
    try:
        now = os.stat(path)
    except FileNotFoundError:
        return False
    held = os.fstat(fd)
    return (now.st_dev, now.st_ino) == (held.st_dev, held.st_ino)


def _read_pid(fd: int) -> int | None:
    try:
        return _parse_pid(os.pread(fd, 32, 0))
    except OSError:
        return None


def _pid_in(path: Path) -> int | None:
    try:
        return _parse_pid(path.read_bytes()[:32])
    except OSError:
        return None


def _parse_pid(data: bytes) -> int | None:
    text = data.decode("ascii", "replace").strip()
    return int(text) if text.isdigit() else None


def pid_alive(pid: int) -> bool:
    """Whether a process with this id exists (a zombie or another user's process counts as alive)."""
    if pid <= 0:
        return False
    if os.name == "nt":
        return True  # os.kill there terminates the process instead of probing it
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True
    return True


def _busy(out: Path, holder: int | None) -> ExportError:
    who = f" (pid {holder})" if holder else ""
    return ExportError(f"another loraprep export to {out} is running{who}",
                       hint=f"wait for it to finish, or export to another folder (its lock: {lock_path(out)})")
