"""Copy a file as a copy-on-write clone where the file system can (Linux FICLONE: Btrfs, XFS, bcachefs, ...),
else byte for byte. Either way the copy is a file of its own: writing to it never changes the source."""

from __future__ import annotations

import errno
import os
import shutil
import sys
from pathlib import Path

try:
    import fcntl
except ImportError:  # Windows
    fcntl = None  # type: ignore[assignment]

REFLINK = "reflink"
COPY = "copy"

# FICLONE is _IOW(0x94, 9, int); Python's fcntl names it from 3.12 on. The value below is the generic-ioctl one
# (x86, Arm, RISC-V); other encodings are only used where Python provides the name.
_FICLONE = getattr(fcntl, "FICLONE", 0x40049409) if fcntl is not None and sys.platform.startswith("linux") else None
# The file system or the pair of folders cannot share extents: copy instead.
_CANNOT_CLONE = {errno.EOPNOTSUPP, errno.ENOTSUP, errno.EXDEV, errno.EINVAL, errno.ENOTTY, errno.ENOSYS,
                 errno.EBADF, errno.EPERM}
_unclonable: set[tuple[int, int]] = set()  # (source device, destination device) pairs that refused once


def clone_or_copy(source: Path, dest: Path) -> str:
    """Write ``dest`` as a clone of ``source`` where possible ("reflink"), else as a byte copy ("copy")."""
    if _FICLONE is not None:
        with open(source, "rb") as src, open(dest, "wb") as dst:
            pair = (os.fstat(src.fileno()).st_dev, os.fstat(dst.fileno()).st_dev)
            if pair not in _unclonable:
                try:
                    fcntl.ioctl(dst.fileno(), _FICLONE, src.fileno())
                    return REFLINK
                except OSError as exc:
                    if exc.errno not in _CANNOT_CLONE:
                        raise
                    _unclonable.add(pair)
    shutil.copyfile(source, dest)
    return COPY
