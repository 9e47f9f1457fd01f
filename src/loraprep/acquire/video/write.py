"""Frame files: names from episode and time, lossless PNG bytes, published whole and never over an existing file."""

from __future__ import annotations

import functools
import hashlib
import os
import re
import struct
import tempfile
import zlib
from pathlib import Path
from typing import Callable

import numpy as np

PNG_LEVEL = 1          # zlib level: lossless at any level; 1 writes a 1080p frame in a third of level 6's time
ISAL_LEVEL = 1         # ISA-L's level 1: as small as zlib's level 1 on frames (smaller on grainy ones)


def frame_name(video_name: str, seconds: float) -> str:
    """'ep01.mkv', 723.5 -> 'ep01_00h12m03s500.png': sorts by time, no characters a file system refuses."""
    stem = re.sub(r"[\\/:*?\"<>|\x00-\x1f]+", "_", Path(video_name).stem).strip(" .") or "video"
    ms = max(0, int(round(seconds * 1000)))
    h, rest = divmod(ms, 3_600_000)
    m, rest = divmod(rest, 60_000)
    s, ms = divmod(rest, 1000)
    return f"{stem}_{h:02d}h{m:02d}m{s:02d}s{ms:03d}.png"


def origin_of(video_name: str, seconds: float) -> str:
    """The provenance key of one frame: 'video:<file name>@<seconds>'."""
    return f"video:{video_name}@{seconds:.3f}"


def png_bytes(image) -> bytes:
    """An RGB picture (PIL image, or a (height, width, 3) uint8 array) as an 8-bit PNG, every row with the "Up" filter (RFC 2083 6.3), deflated by deflater().

    Pillow tries the five filters on every row ("adaptive"), which costs about twice the CPU of one fixed
    filter; for drawn frames, whose rows repeat the rows above them, Up compresses to the same size."""
    if isinstance(image, np.ndarray):
        rows = image
    else:
        rows = np.asarray(image.convert("RGB") if image.mode != "RGB" else image, np.uint8)
    height, width = rows.shape[:2]
    rows = rows.reshape(height, width * 3)
    body = np.empty((height, width * 3 + 1), np.uint8)
    body[:, 0] = 2                                                   # filter type 2: Up
    body[0, 1:] = rows[0]
    np.subtract(rows[1:], rows[:-1], out=body[1:, 1:])               # modulo 256, as the filter is defined
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)  # 8-bit RGB, deflate, no interlace
    return b"".join([b"\x89PNG\r\n\x1a\n", _chunk(b"IHDR", header),
                     _chunk(b"IDAT", deflater()(body)), _chunk(b"IEND", b"")])


@functools.lru_cache(maxsize=1)
def deflater() -> Callable[[np.ndarray], bytes]:
    """The zlib-format compressor for PNG data: Intel's ISA-L (the `isal` package, in the video extra) when it is
    installed, else the standard library's zlib. Both write the same format every PNG reader inflates; on 1080p
    frames (filtered rows, 6 MB) ISA-L's level 1 took 1.4 ms where zlib's level 1 took 12 ms, for a file a few
    percent smaller (flat drawings) to 6% smaller (film grain: 6 ms against 31)."""
    try:
        from isal import isal_zlib
    except ImportError:
        return functools.partial(zlib.compress, level=PNG_LEVEL)
    return functools.partial(isal_zlib.compress, level=ISAL_LEVEL)


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)


def publish(folder: Path, name: str, data: bytes) -> tuple[Path, bool]:
    """Place ``data`` in ``folder`` under ``name`` (or name-2, name-3 ... when another file has that name);
    (path, True) when a file with these very bytes is already there (a run cut off before it recorded it).

    The bytes go to a hidden temporary file first and are linked into place, which fails rather than
    replaces when the name is taken, so no existing file is ever overwritten and no partial one is seen."""
    folder.mkdir(parents=True, exist_ok=True)
    digest = hashlib.sha256(data).digest()
    fd, tmp = tempfile.mkstemp(prefix=".frame.", suffix=".tmp", dir=folder)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        stem, suffix = os.path.splitext(name)
        for n in range(1, 1000):
            target = folder / (name if n == 1 else f"{stem}-{n}{suffix}")
            if target.exists() or target.is_symlink():
                if _same_bytes(target, digest):
                    return target, True
                continue
            if _claim(Path(tmp), target):
                return target, False
        raise FileExistsError(f"no free name for {name} in {folder}")
    finally:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass


def _claim(tmp: Path, target: Path) -> bool:
    try:
        os.link(tmp, target)
        return True
    except FileExistsError:
        return False
    except OSError:               # no hard links on this file system: reserve the name, then move onto it
        try:
            os.close(os.open(target, os.O_CREAT | os.O_EXCL | os.O_WRONLY))
        except FileExistsError:
            return False
        os.replace(tmp, target)
        return True


def _same_bytes(path: Path, digest: bytes) -> bool:
    try:
        if not path.is_file():
            return False
        return hashlib.sha256(path.read_bytes()).digest() == digest
    except OSError:
        return False
