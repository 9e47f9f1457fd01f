"""Who a process is (pid, host, boot, start time) and whether that very process still runs."""

from __future__ import annotations

import os
import socket
from dataclasses import dataclass
from pathlib import Path

_BOOT_ID = Path("/proc/sys/kernel/random/boot_id")


@dataclass(frozen=True)
class ProcessIdentity:
    """Enough to tell a process from a later one that reuses its pid: the pid alone is recycled."""

    pid: int
    host: str
    boot: str | None     # Linux boot id: a pid from an earlier boot is dead whatever runs under it now
    start: int | None    # start time in clock ticks since boot (/proc/<pid>/stat field 22), where readable


def boot_id() -> str | None:
    try:
        return _BOOT_ID.read_text().strip() or None
    except OSError:
        return None


def start_time(pid: int) -> int | None:
    """When ``pid`` started, from /proc (Linux); None where there is no /proc, no such process, or only its
    zombie (killed, not yet reaped by its parent: it runs no more)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except (OSError, ValueError):
        return None
    # The command name (field 2) is in parentheses and may hold spaces or ')', so count from the last ')'.
    fields = stat[stat.rfind(")") + 2:].split()
    try:
        state, start = fields[0], int(fields[19])  # fields 3 and 22 overall
    except (IndexError, ValueError):
        return None
    return None if state in ("Z", "X", "x") else start


def current() -> ProcessIdentity:
    pid = os.getpid()
    return ProcessIdentity(pid, socket.gethostname(), boot_id(), start_time(pid))


def alive(who: ProcessIdentity) -> bool | None:
    """True when that process still runs, False when it is gone, None when this machine cannot tell
    (it ran on another host)."""
    if who.host != socket.gethostname():
        return None
    if who.boot and boot_id() and who.boot != boot_id():
        return False                      # the machine restarted since
    if who.start is not None:
        now = start_time(who.pid)
        if now is not None or Path("/proc/self/stat").exists():
            return now == who.start       # gone, or the pid now belongs to a younger process
    try:
        os.kill(who.pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True                       # someone else's process holds the pid: it exists
    except OSError:
        return None
    return True
