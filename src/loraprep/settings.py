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
    Setting("LORAPREP_BOORU_CONFIG", "~/.config/loraprep/boorus.toml", "`download`'s credentials file: a [site] table per site with user and api_key (outside any dataset)."),
    *(Setting(f"LORAPREP_{site.upper()}_{part}", "", f"`download --site {site}`: the account's {what} (overrides the config file; never printed).")
      for site in ("danbooru", "safebooru", "gelbooru", "e621", "yandere", "konachan")
      for part, what in (("USER", "login name (Gelbooru: user id)"), ("API_KEY", "API key"))),
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


def booru_config_path() -> str:
    """Where `download` reads site credentials from (the user's home expanded)."""
    return os.path.expanduser(get("LORAPREP_BOORU_CONFIG"))


def booru_credential(site: str, part: str) -> str:
    """One credential of a site from the environment ('' when unset): ``part`` is USER or API_KEY."""
    return get(f"LORAPREP_{site.upper()}_{part}").strip()


def state_dir() -> str:
    """LORAPREP_STATE_DIR: the folder that holds the dataset's state instead of DATASET/.loraprep ('' = there)."""
    return get("LORAPREP_STATE_DIR").strip()
