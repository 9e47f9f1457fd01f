"""Versions of what the engine shows: a number per change and which files each change touched."""

from __future__ import annotations

KEPT_CHANGES = 64  # changes remembered for changed_since; an older version is answered "everything"


class Versions:
    """The engine's version counter and the files each of the newest changes may have changed."""

    def __init__(self):
        self.now = 0
        self._changes: list[tuple[int, set[int]]] = []  # (version, files it changed), oldest first
        self._floor = 0  # changed_since answers only for versions from here on

    def mark(self, changed: set[int] | None) -> None:
        """A new version: ``changed`` names the files it may have changed, None means every file may have."""
        self.now += 1
        if changed is None:
            self._changes, self._floor = [], self.now
            return
        self._changes.append((self.now, changed))
        if len(self._changes) > KEPT_CHANGES:
            self._floor = self._changes.pop(0)[0]

    def changed_since(self, version: int) -> set[int] | None:
        """The files that may differ from what they were at ``version``; None when any may."""
        if version < self._floor:
            return None
        return set().union(*(ids for v, ids in self._changes if v > version))
