"""The concepts' core tags kept beside the store, keyed on everything they are counted from (one-image reads)."""

from __future__ import annotations

import hashlib
import json

from loraprep.store.atomic import write_text_atomic
from loraprep.store.db import Store

CACHE_NAME = "concept-core.json"


def fingerprint(store: Store, concept: str, model: str | None, tagging: str | None = None) -> str:
    """A digest of the store's inputs to one concept's tag counts: its active files and their contents, the
    model's tagging, and the journal's done batches (``tagging``: ``tagging_state``'s answer, when the caller
    fingerprints several concepts at once). Any write that can move a count changes it."""
    digest = hashlib.sha256()
    # The concept's files: the change number the schema's triggers move with every write that adds, removes,
    # moves or re-points one of them (schema v11), and their count: two index probes, not the concept's rows.
    changes = store.conn.execute("SELECT n FROM concept_changes WHERE concept = ?", (concept,)).fetchone()
    active = store.conn.execute("SELECT TOTAL(n) FROM health_tally WHERE concept = ? AND status = 'active'",
                                (concept,)).fetchone()
    digest.update(repr((changes and changes[0], active[0])).encode())
    digest.update((tagging if tagging is not None else tagging_state(store, model)).encode())
    return digest.hexdigest()


def tagging_state(store: Store, model: str | None) -> str:
    """What every concept's counts share: the model's tagging and the journal's done batches and operations."""
    conn = store.conn
    # Index probes only: the newest tagging (a retag or a newly tagged image writes a newer time), and the
    # journal's newest operations (tag_ops and tag_op_sets are only ever appended to; batches are few).
    rows = (conn.execute("SELECT MAX(at) FROM tagged WHERE model = ?", (model or "",)).fetchone(),
            conn.execute("SELECT COUNT(*), TOTAL(id), MAX(id), MAX(at) FROM batches WHERE state = 'done'").fetchone(),
            conn.execute("SELECT MAX(seq) FROM tag_ops").fetchone(),
            conn.execute("SELECT MAX(seq) FROM tag_op_sets").fetchone())
    return repr([tuple(row) for row in rows])


def load(store: Store, key: str, concept: str) -> dict | None:
    """The cached {"images", "counts", "core", "core_frequency"} of ``concept`` under ``key``; None when absent or stale."""
    try:
        data = json.loads((store.state_dir / CACHE_NAME).read_text(encoding="utf-8"))
        found = data.get(concept)
    except (OSError, ValueError, AttributeError):
        return None
    if not isinstance(found, dict) or found.get("key") != key:
        return None
    return found


def save(store: Store, key: str, concept: str, stats) -> None:
    """Keep one concept's ConceptStats, or None for no active image (best effort: a read-only store just recounts next time)."""
    if store.read_only:
        return
    path = store.state_dir / CACHE_NAME
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        data = data if isinstance(data, dict) else {}
    except (OSError, ValueError):
        data = {}
    data[concept] = {"key": key, "images": 0} if stats is None else {
        "key": key, "images": stats.images, "counts": dict(stats.counts), "core": sorted(stats.core),
        "core_frequency": stats.core_frequency}
    try:
        write_text_atomic(path, json.dumps(data))
    except OSError:
        pass
