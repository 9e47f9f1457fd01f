"""Worker processes that die with the process that started them, even when it was killed with SIGKILL."""

from __future__ import annotations

import os
import signal
import sys
import threading
import time

from loraprep.process_identity import ProcessIdentity, alive

POLL_S = 0.25            # how soon a worker notices that its owner is gone (portable path)
ORPHANED_EXIT = 70       # exit status of a worker that stopped because its owner died
_PR_SET_PDEATHSIG = 1    # <linux/prctl.h>


def tie_to(owner: ProcessIdentity) -> None:
    """Call first thing in a worker process: it exits when ``owner`` (the process whose work it does) dies.

    Two mechanisms, because neither covers every case. Linux's parent-death signal kills the worker the
    moment its parent exits, but the parent of a forkserver worker is the fork server, which lives on as long
    as its workers do; so a watcher thread also polls the owner itself (pid and start time, so a recycled pid
    does not count) and the parent pid, on every platform.
    """
    parent = os.getppid()
    _parent_death_signal(signal.SIGKILL)
    if os.getppid() != parent or alive(owner) is False:   # it died before the signal was armed
        os._exit(ORPHANED_EXIT)
    threading.Thread(target=_watch, args=(owner, parent), name="loraprep-lifeline", daemon=True).start()


def _watch(owner: ProcessIdentity, parent: int) -> None:
    while True:
        time.sleep(POLL_S)
        if os.getppid() != parent or alive(owner) is False:
            os._exit(ORPHANED_EXIT)


def _parent_death_signal(signum: int) -> bool:
    """prctl(PR_SET_PDEATHSIG): the kernel sends ``signum`` to this process when its parent exits. Linux only."""
    if not sys.platform.startswith("linux"):
        return False
    import ctypes

    try:
        libc = ctypes.CDLL(None, use_errno=True)
        return libc.prctl(_PR_SET_PDEATHSIG, int(signum), 0, 0, 0) == 0
    except (OSError, AttributeError):
        return False
