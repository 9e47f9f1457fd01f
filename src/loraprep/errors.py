"""The one error hierarchy: every expected failure is a LoraprepError with a message and a hint."""

from __future__ import annotations


class LoraprepError(Exception):
    """A failure a user can act on: shown as one line plus a hint, never as a traceback."""

    exit_code = 1
    http_status = 422   # what the editor's API answers (web/errors.py): the request was understood, and refused

    def __init__(self, message: str, hint: str | None = None):
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        return self.message


class DatasetError(LoraprepError):
    """The dataset folder or its state store is missing, unreadable or from a newer version."""


class ImageError(LoraprepError):
    """One image cannot be read or decoded; recorded per file, the run goes on."""


class ModelError(LoraprepError):
    """A tagger model cannot be found, downloaded or run."""


class RecipeError(LoraprepError):
    """The recipe (loraprep.toml) or a rule file has an unknown key or a bad value."""


class ExportError(LoraprepError):
    """An export cannot be written (bad target, output inside the dataset, ...)."""


class UsageError(LoraprepError):
    """The command line asks for something that does not make sense."""

    exit_code = 2
    http_status = 400


class SourceFileError(LoraprepError):
    """One source file (image or caption) cannot be taken as it is: a special file, too large, an undecodable
    caption, a name that is not UTF-8; recorded per file, the run goes on."""


class ReadOnlyError(DatasetError):
    """The dataset's .loraprep folder cannot be written (permissions or a read-only mount); reads still work."""


class DiskFullError(LoraprepError):
    """A disk filled up (or a quota ran out) while loraprep wrote to it: the state store or an export."""

    http_status = 507


_SQLITE_FULL = 13


def is_disk_full(exc: BaseException) -> bool:
    """ENOSPC / EDQUOT from the OS, or SQLite's SQLITE_FULL ("database or disk is full")."""
    import errno

    if isinstance(exc, OSError):
        return exc.errno in (errno.ENOSPC, getattr(errno, "EDQUOT", errno.ENOSPC))
    if type(exc).__module__ == "sqlite3":
        code = getattr(exc, "sqlite_errorcode", None)
        return (code is not None and code & 0xFF == _SQLITE_FULL) or "database or disk is full" in str(exc)
    return False


def disk_full(exc: BaseException, where: str | None = None, hint: str | None = None) -> DiskFullError | None:
    """The DiskFullError that says which disk filled up (``where``: a folder or file on it), or None when
    ``exc`` is something else."""
    if not is_disk_full(exc):
        return None
    return disk_full_error(where or getattr(exc, "filename", None), hint)


def disk_full_error(where: str | None = None, hint: str | None = None) -> DiskFullError:
    place = f" while writing {where}" if where else ""
    return DiskFullError(f"the disk is full{place} (no space left on the device)",
                         hint=hint or "free some space on that disk and run the command again; "
                                      "everything committed before is kept")


class LimitError(UsageError):
    """A request goes past one of the named limits in loraprep.limits (too long a tag, too many tags or ids)."""

    http_status = 422


class ConflictError(LoraprepError):
    """What a request was based on changed meanwhile (another writer's batch is now the newest)."""

    http_status = 409


class NotFoundError(DatasetError):
    """The thing a request names (an image id, a duplicate group) is not in the store."""

    http_status = 404


class NothingToDoError(DatasetError):
    """The request is valid but the journal leaves nothing to do (nothing to undo, nothing to redo)."""

    http_status = 409


class NetworkError(LoraprepError):
    """A site cannot be reached or keeps refusing (after the retries); never says the credentials it was sent."""

    http_status = 502


class ClusterError(LoraprepError):
    """The distributed engine (Ray) is not installed, its cluster cannot be reached, or it cannot run the work."""


class VideoError(LoraprepError):
    """One video file cannot be read or is refused (not a video, no video stream, HDR without tone mapping);
    recorded per file, the run goes on with the next episode."""
