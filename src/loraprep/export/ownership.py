"""Is a folder provably a loraprep export? Compare what is there with what loraprep recorded writing there.

A folder may be replaced when every entry in it is one of:
- a file or folder its manifest lists, a file with the recorded size (hard links excepted: they follow their source);
- for an export by an older version (no manifest), a file its export.json report lists (images, their captions,
  config files, the report itself) or a folder holding them;
- something under a trainer cache folder that the export's own config points into (SimpleTuner's caches);
- a trainer's cache beside the exported images (trainer_caches.py), or a file browser's folder metadata.
Files loraprep wrote that are gone since are no obstacle: nothing is lost by replacing them.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from loraprep.export.manifest import MANIFEST, Claim, read_claim
from loraprep.export.trainer_caches import is_trainer_cache


@dataclass(frozen=True)
class Survey:
    """What a folder holds against loraprep's claim (``claim`` None: no record at all, every entry is foreign)."""

    claim: Claim | None
    unclaimed: tuple[str, ...]  # relative paths loraprep did not write; folders end with "/"
    changed: tuple[str, ...]    # files loraprep wrote whose size differs now, or that became something else
    missing: int                # files loraprep wrote that are gone

    @property
    def is_loraprep_export(self) -> bool:
        return self.claim is not None and not self.unclaimed and not self.changed

    @property
    def complete(self) -> bool:
        """A whole export as written: provably ours and nothing missing (what recovery may restore)."""
        return self.is_loraprep_export and self.missing == 0


def survey(folder: Path) -> Survey:
    """Walk ``folder`` (never following links) and sort its entries by loraprep's record of it."""
    claim = read_claim(folder)
    if claim is None:
        return Survey(None, tuple(sorted(_top_level(folder))), (), 0)
    cache_dirs = tuple(claim.cache_dirs)
    cache_ancestors = {str(p) for c in cache_dirs for p in _parents(c)}
    stems = claim.image_stems()
    unclaimed: list[str] = []
    changed: list[str] = []
    seen = 0
    pending = [""]
    while pending:
        rel_dir = pending.pop()
        with os.scandir(folder / rel_dir if rel_dir else folder) as entries:
            for entry in entries:
                rel = f"{rel_dir}/{entry.name}" if rel_dir else entry.name
                is_dir = entry.is_dir(follow_symlinks=False)
                if _under(rel, cache_dirs):
                    continue
                if rel in claim.files:
                    seen += 1
                    if is_dir or not entry.is_file(follow_symlinks=False):
                        changed.append(rel + "/" if is_dir else rel)
                    elif claim.files[rel] is not None and entry.stat(follow_symlinks=False).st_size != claim.files[rel]:
                        changed.append(rel)
                    continue
                if is_dir and (rel in claim.dirs or rel in cache_ancestors):
                    pending.append(rel)
                    continue
                if rel == MANIFEST and claim.source == "manifest" and not is_dir:
                    continue
                if is_trainer_cache(entry.name, is_dir, stems.get(rel_dir, ())):
                    continue
                unclaimed.append(rel + "/" if is_dir else rel)
    return Survey(claim, tuple(sorted(unclaimed)), tuple(sorted(changed)), len(claim.files) - seen)


def _top_level(folder: Path) -> list[str]:
    with os.scandir(folder) as entries:
        return [e.name + "/" if e.is_dir(follow_symlinks=False) else e.name for e in entries
                if not is_trainer_cache(e.name, e.is_dir(follow_symlinks=False), ())]


def _under(rel: str, cache_dirs: tuple[str, ...]) -> bool:
    return any(rel == c or rel.startswith(c + "/") for c in cache_dirs)


def _parents(rel: str):
    parts = rel.split("/")
    return ["/".join(parts[:i]) for i in range(1, len(parts))]


def named(paths: tuple[str, ...] | list[str], shown: int = 5) -> str:
    """'a, b, c' or 'a, b, c, d, e and 7 more', for messages."""
    paths = [_printable(p) for p in paths]
    head = ", ".join(paths[:shown])
    return head if len(paths) <= shown else f"{head} and {len(paths) - shown} more"


def _printable(name: str) -> str:
    # Undecodable bytes (surrogate escapes) and control characters are shown escaped, never printed raw.
    text = name.encode("utf-8", "backslashreplace").decode("utf-8")
    return "".join(c if c.isprintable() else repr(c)[1:-1] for c in text)
