"""One file held by the engine (its tags before rules, the rules' verdict, caches) and the Row lists show of it."""

from __future__ import annotations

from itertools import count
from typing import NamedTuple

from loraprep.model.image import FileRecord
from loraprep.model.tags import LeanBase

LIVE = ("active", "excluded", "failed")
EMPTY = LeanBase((), ())
next_stamp = count(1).__next__  # every entry's row version: fresh on each change, never reused (rows cache on it)


class Row(NamedTuple):
    """What a list of images shows of one file: its record, the version of this answer, tags after the rules and
    the mean tagger score."""
    file: FileRecord
    version: int
    tags: int
    confidence: float


class Entry:
    """One file with its tags before rules (lean) and, once computed, the rules' verdict on them.

    After an edit the lean base is dropped and rebuilt on first read: a batch over 10,000 images rebuilds only
    the ones somebody looks at before the next edit.
    """

    __slots__ = ("file", "_lean", "_build", "tags", "result", "verdict", "view", "view_of", "stamp")

    def __init__(self, file: FileRecord, lean: LeanBase | None = None, build=None):
        self.file = file
        self._lean = lean
        self._build = build          # file -> LeanBase, from the workspace's current state
        self.tags: list | None = None  # the base as Tag objects, built when evidence is asked for
        self.result = None           # the rules' Verdict with evidence (Tag records), built on demand
        self.verdict = None          # the same Verdict from names alone: what bulk reads use
        self.view = None             # the selection view, valid while ``view_of is verdict``
        self.view_of = None
        self.stamp = next_stamp()    # changes whenever anything a row shows may have changed

    @property
    def lean(self) -> LeanBase:
        if self._lean is None:
            self._lean = self._build(self.file)
        return self._lean

    @property
    def built(self) -> bool:
        return self._lean is not None

    @property
    def removed(self) -> frozenset:
        return self.lean.removed

    def kept_lean(self) -> LeanBase | None:
        """The base if built, else None: a new Entry for the same tags starts from it."""
        return self._lean

    def forget_rules(self) -> None:
        self.result = self.verdict = None
        self.stamp = next_stamp()

    def forget_all(self) -> None:
        """The journal's word on the image changed: all derived from it is rebuilt on next read."""
        self._lean = self.tags = self.result = self.verdict = None
        self.stamp = next_stamp()
