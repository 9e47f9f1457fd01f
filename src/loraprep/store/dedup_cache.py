"""The last dedup run's groups kept beside the store with the digest of their inputs, for a rerun with nothing new."""

from __future__ import annotations

import json

from loraprep.store.atomic import write_text_atomic
from loraprep.store.db import Store

CACHE_NAME = "dedup-groups.json"


def load(store: Store, fingerprint: str) -> list | None:
    """The stored group rows when they were found from inputs with this digest; None otherwise (or unreadable)."""
    try:
        saved = json.loads((store.state_dir / CACHE_NAME).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(saved, dict) or saved.get("inputs") != fingerprint or not isinstance(saved.get("groups"), list):
        return None
    return saved["groups"]


def save(store: Store, fingerprint: str, rows: list) -> None:
    write_text_atomic(store.state_dir / CACHE_NAME, json.dumps({"inputs": fingerprint, "groups": rows}))

