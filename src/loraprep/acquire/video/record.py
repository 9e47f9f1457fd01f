"""Provenance of extracted frames in the store's sources table: each kept frame, and the frames it covers."""

from __future__ import annotations

import hashlib
from dataclasses import replace

from loraprep.store.db import Store
from loraprep.store.sources import Source, known_origins, record_sources, sources_by_path

KIND = "video"


class Recorder:
    """Reads what earlier runs recorded (a rerun skips those frames) and records each new frame as it is written,
    so a run cut off at any point leaves every written frame recorded or adoptable (write.publish)."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self._origins = known_origins(store, KIND)
        self._sources = sources_by_path(store, kind=KIND)

    def known(self, origin: str) -> bool:
        return origin in self._origins

    def wrote(self, path: str, data: bytes, origin: str, facts: dict) -> None:
        """Record one frame written at ``path`` (dataset-relative) with these bytes."""
        source = Source(path=path, sha256=hashlib.sha256(data).hexdigest(), kind=KIND, origin=origin,
                        data=dict(facts, covers=[]))
        record_sources(self.store, [source])
        self._origins.add(origin)
        self._sources[path] = source

    def cover(self, kept_path: str, covered: dict) -> bool:
        """Add a dropped frame to the kept frame's ``covers`` (once per video and time); False when the kept
        picture is not an extracted frame (a user's own image has no provenance row to hold it)."""
        source = self._sources.get(kept_path)
        if source is None:
            return False
        covers = list(source.data.get("covers", []))
        key = (covered.get("video"), covered.get("at"))
        if any((c.get("video"), c.get("at")) == key for c in covers):
            return True
        covers.append(covered)
        updated = replace(source, data=dict(source.data, covers=covers), at="")
        record_sources(self.store, [updated])
        self._sources[kept_path] = updated
        return True
