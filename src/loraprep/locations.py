"""Where an image is read from: a local path, or an fsspec URL (s3://, gs://, file://, ...) for object storage.

Credentials come from each fsspec backend's usual environment (AWS_* variables and ~/.aws for s3fs, Google's
application-default credentials for gcsfs); loraprep never reads, asks for or stores them.
"""

from __future__ import annotations

import io
import re
from pathlib import Path

from loraprep.errors import SourceFileError
from loraprep.regular_file import MAX_IMAGE_BYTES, read_regular

_URL = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*://")


def is_url(location: str | Path) -> bool:
    """True for an fsspec URL (scheme://...); a Windows drive letter or a plain path is not one (pure)."""
    return isinstance(location, str) and bool(_URL.match(location))


def join(root: str | Path, relative: str) -> str:
    """The location of ``relative`` (a dataset path, '/'-separated) under ``root``, a folder or a URL (pure)."""
    if is_url(root):
        return str(root).rstrip("/") + "/" + relative.lstrip("/")
    return str(Path(root) / relative)


def read_bytes(location: str, limit: int = MAX_IMAGE_BYTES) -> bytes:
    """The bytes of one image; SourceFileError with a one-line reason when they cannot be read."""
    if not is_url(location):
        return read_regular(location, limit)
    try:
        import fsspec
    except ImportError:
        raise SourceFileError(f"{location}: reading URLs needs fsspec", "pip install 'loraprep[ray]'") from None
    try:
        with fsspec.open(location, "rb") as fh:
            data = fh.read(limit + 1)
    except FileNotFoundError:
        raise SourceFileError("file not found") from None
    except PermissionError:
        raise SourceFileError("permission denied") from None
    except (ImportError, ValueError) as exc:   # no backend installed for the scheme (s3fs, gcsfs), bad URL
        raise SourceFileError(f"cannot read {location}: {_first_line(exc)}") from None
    except OSError as exc:
        raise SourceFileError(f"read failed: {_first_line(exc)}") from None
    if len(data) > limit:
        raise SourceFileError(f"file larger than {limit} bytes")
    return data


def open_binary(location: str):
    """A path as it is (the decoders open it themselves), or a URL's bytes in memory."""
    return Path(location) if not is_url(location) else io.BytesIO(read_bytes(location))


def _first_line(exc: BaseException) -> str:
    return (" ".join(str(exc).split()) or type(exc).__name__)[:200]
