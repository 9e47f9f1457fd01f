"""history(), undo(), redo(): the edit journal by batch, for the CLI and the editor alike (one undo, one redo)."""

from __future__ import annotations

from pathlib import Path

from loraprep.store import journal
from loraprep.store.db import Store, open_store
from loraprep.store.runs import unfinished_runs


def batch_dict(b) -> dict:
    return {"id": b.id, "at": b.at, "label": b.label, "source": b.source, "state": b.state,
            "tag_ops": b.tag_ops, "file_ops": b.file_ops, "via": b.via}


def history(dataset: str | Path, *, limit: int = 30) -> dict:
    """The newest batches first, and the runs that did not finish."""
    with open_store(dataset) as store:
        return {"dataset": str(store.root), "batches": [batch_dict(b) for b in journal.history(store, limit=limit)],
                "unfinished_runs": unfinished_runs(store)}


def step_store(store: Store, name: str, expected: int | None = None):
    """Undo or redo (``name``) the next batch on an open store; with ``expected``, only if that batch is next
    (else ConflictError). The editor's workspace and the CLI both step through here."""
    if name not in ("undo", "redo"):
        raise ValueError(f"no journal step {name!r}")
    return getattr(journal, name)(store, expected=expected)


def step(dataset: str | Path, name: str, expected: int | None = None) -> dict:
    """Undo or redo the next batch of a dataset's journal."""
    with open_store(dataset) as store:
        return batch_dict(step_store(store, name, expected))
