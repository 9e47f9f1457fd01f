"""Read a source file only when it is a regular file, within a size limit: never a FIFO, a device or a socket."""

from __future__ import annotations

import os
import stat

from loraprep.errors import SourceFileError

# A FIFO opened for reading blocks until a writer appears; O_NONBLOCK makes the open return so fstat can refuse it.
_OPEN_FLAGS = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0) | getattr(os, "O_CLOEXEC", 0) \
    | getattr(os, "O_BINARY", 0)
_KINDS = ((stat.S_ISFIFO, "a named pipe (FIFO)"), (stat.S_ISCHR, "a character device"),
          (stat.S_ISBLK, "a block device"), (stat.S_ISSOCK, "a socket"), (stat.S_ISDIR, "a folder"))


def read_regular(path: str, limit: int, *, what: str = "file") -> bytes:
    """The bytes of ``path`` (links followed); SourceFileError when it is not a regular file or exceeds ``limit``."""
    try:
        before = os.stat(path)
        # Refuse by the first stat, so a device is never even opened (opening some has side effects).
        _check(path, before, limit, what)
        fd = os.open(path, _OPEN_FLAGS)
    except PermissionError:
        raise SourceFileError("unreadable: permission denied") from None
    except OSError as exc:
        raise SourceFileError(f"unreadable: {exc.strerror or exc}") from None
    with os.fdopen(fd, "rb", buffering=0) as handle:
        # The path may have been swapped for a FIFO or a device between the stat and the open: check what was opened.
        _check(path, os.fstat(fd), limit, what)
        try:
            data = _read_at_most(handle, limit + 1)
        except OSError as exc:
            raise SourceFileError(f"unreadable: {exc.strerror or exc}") from None
    if len(data) > limit:  # the file grew while it was read
        raise SourceFileError(f"{what} too large: it grew past the {_human(limit)} limit while it was read")
    return data


def _check(path: str, st: os.stat_result, limit: int, what: str) -> None:
    if not stat.S_ISREG(st.st_mode):
        kind = next((name for test, name in _KINDS if test(st.st_mode)), "not a plain file")
        via = ""
        if os.path.islink(path):
            via = f" (a symbolic link to {os.path.realpath(path)})"
        raise SourceFileError(f"not a regular file: {kind}{via}; only regular files are read")
    if st.st_size > limit:
        raise SourceFileError(_too_large(what, st.st_size, limit))


def _too_large(what: str, size: int, limit: int) -> str:
    return f"{what} too large: {size:,} bytes, over the {_human(limit)} limit"


def _human(size: int) -> str:
    for unit, scale in (("GiB", 1 << 30), ("MiB", 1 << 20), ("KiB", 1 << 10)):
        if size >= scale and size % scale == 0:
            return f"{size // scale} {unit}"
    return f"{size:,} bytes"


def _read_at_most(handle, count: int) -> bytes:
    chunks, left = [], count
    while left > 0:
        chunk = handle.read(min(left, 1 << 24))
        if not chunk:
            break
        chunks.append(chunk)
        left -= len(chunk)
    return b"".join(chunks)
