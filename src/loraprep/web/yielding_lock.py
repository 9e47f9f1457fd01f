"""A lock that requests take at once and background work takes only while no request wants it."""

from __future__ import annotations

import threading
from contextlib import contextmanager
from typing import Iterator


class YieldingLock:
    """Re-entrant for requests (``with lock:``); ``background()`` waits until no request holds or wants the lock.

    Background work holding it checks ``wanted`` between small steps and lets go as soon as a request arrives,
    so a request waits for one step, never for the whole of the work.
    """

    def __init__(self):
        self._lock = threading.RLock()
        self._state = threading.Condition(threading.Lock())
        self._wanted = 0

    def __enter__(self) -> "YieldingLock":
        with self._state:
            self._wanted += 1
        self._lock.acquire()
        return self

    def __exit__(self, *exc) -> None:
        self._lock.release()
        with self._state:
            self._wanted -= 1
            if not self._wanted:
                self._state.notify_all()

    @property
    def wanted(self) -> bool:
        """A request holds the lock or waits for it."""
        return self._wanted > 0

    @contextmanager
    def background(self) -> Iterator[None]:
        with self._state:
            while self._wanted:
                self._state.wait()
        with self._lock:
            yield
