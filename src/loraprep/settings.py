"""The only place environment variables are read; SETTINGS lists each with its help text."""

from __future__ import annotations

import os
from dataclasses import dataclass


@dataclass(frozen=True)
class Setting:
    """One environment variable loraprep understands."""

    name: str
    default: str
    help: str


SETTINGS = (
    Setting("LORAPREP_DEBUG", "", "Set to 1 to show full tracebacks instead of one-line errors."),
    Setting("LORAPREP_MAX_PIXELS", "178956970", "Largest image (width x height) decoded before it is refused as a decompression bomb."),
    Setting("LORAPREP_WORKERS", "", "Workers (threads or processes) for decoding, hashing and dedup (default: number of CPU cores)."),
    Setting("LORAPREP_BUSY_TIMEOUT_MS", "30000", "How long a command waits for another process holding the state store."),
    Setting("LORAPREP_STATE_DIR", "", "Keep the dataset's state (its .loraprep folder) in this folder instead, as --state-dir does: for images on a read-only or network file system (SQLite in WAL mode needs a local disk); one folder per dataset."),
    Setting("HF_HUB_OFFLINE", "", "Standard Hugging Face variable: 1 means never download models, use the local cache only."),
)

_DEFAULTS = {s.name: s.default for s in SETTINGS}


def get(name: str) -> str:
    """The value of a known setting, falling back to its documented default."""
    if name not in _DEFAULTS:
        raise KeyError(f"unknown setting {name}")
    return os.environ.get(name, _DEFAULTS[name])


def debug() -> bool:
    return get("LORAPREP_DEBUG").strip() not in ("", "0", "false", "no")


def max_pixels() -> int:
    return int(get("LORAPREP_MAX_PIXELS"))


def workers() -> int:
    value = get("LORAPREP_WORKERS").strip()
    if value.isdigit() and int(value) > 0:
        return int(value)
    return max(1, os.cpu_count() or 1)


def busy_timeout_ms() -> int:
    return int(get("LORAPREP_BUSY_TIMEOUT_MS"))


def state_dir() -> str:
    """LORAPREP_STATE_DIR: the folder that holds the dataset's state instead of DATASET/.loraprep ('' = there)."""
    return get("LORAPREP_STATE_DIR").strip()
