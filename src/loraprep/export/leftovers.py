"""The sibling folders an export makes beside OUT, and recovery from what a killed export left of them.

An export stages into ``.OUT.loraprep-tmp-<pid>-<token>``, moves the previous OUT to ``.OUT.loraprep-old-...``,
renames the stage to OUT, renames the old folder to ``.OUT.loraprep-del-...`` and deletes it. A kill can stop it
between any two steps. Recovery runs under the output lock (outlock.py), so no sibling belongs to a running export:
- OUT missing: the newest complete stage or set-aside export (by its manifest's time) becomes OUT again; if none is
  complete, the newest set-aside folder does (it is what OUT was).
- ``-tmp-`` (unfinished or superseded stages) and ``-del-`` (already condemned) folders are removed; a stage whose
  pid (in its name) is another live process is left alone: an export without the lock (an older version) may
  still be writing it, and a reused pid only delays the cleanup until that process ends.
- a ``-old-`` folder is removed only when it is provably a loraprep export; otherwise it is kept and named.
"""

from __future__ import annotations

import os
import re
import shutil
import uuid
from dataclasses import dataclass
from pathlib import Path

from loraprep.export.outlock import pid_alive
from loraprep.export.ownership import named, survey

STAGE, OLD, DOOMED = "tmp", "old", "del"
# pid-token since the manifest; a bare 8-hex token from versions before it
_SUFFIX = re.compile(r"(tmp|old|del)-(?:(\d+)-)?[0-9a-f]{8}")


@dataclass(frozen=True)
class Leftover:
    kind: str  # tmp | old | del
    path: Path
    pid: int | None


def sibling(out: Path, kind: str) -> Path:
    """A fresh sibling name of ``out`` for this process: ``.OUT.loraprep-<kind>-<pid>-<token>``."""
    return out.parent / f".{out.name}.loraprep-{kind}-{os.getpid()}-{uuid.uuid4().hex[:8]}"


def find_leftovers(out: Path) -> list[Leftover]:
    prefix = f".{out.name}.loraprep-"
    found = []
    try:
        names = os.listdir(out.parent)
    except OSError:
        return []
    for name in names:
        if not name.startswith(prefix):
            continue
        match = _SUFFIX.fullmatch(name[len(prefix):])
        if match and ((out.parent / name).is_dir() or (out.parent / name).is_symlink()):
            found.append(Leftover(match.group(1), out.parent / name, int(match.group(2)) if match.group(2) else None))
    return sorted(found, key=lambda item: item.path.name)


def discard(out: Path, folder: Path) -> bool:
    """Delete a set-aside export of ``out``: renamed to a ``-del-`` name first, so a kill midway leaves a folder the
    next run knows to finish deleting, never a half-deleted export that no longer proves to be one. True when gone."""
    doomed = sibling(out, DOOMED)
    os.replace(folder, doomed)
    return _remove(doomed)


def _remove(folder: Path) -> bool:
    if os.path.islink(folder):  # OUT was a link to a folder: only the link goes
        os.unlink(folder)
    else:
        shutil.rmtree(folder, ignore_errors=True)
    return not os.path.lexists(folder)


def _other_live_process(pid: int | None) -> bool:
    return pid is not None and pid != os.getpid() and pid_alive(pid)


def recover(out: Path) -> list[str]:
    """Restore or clean up what killed exports left beside ``out`` (call under its output lock); the warnings say what."""
    leftovers = find_leftovers(out)
    running = [item for item in leftovers if item.kind == STAGE and _other_live_process(item.pid)]
    leftovers = [item for item in leftovers if item not in running]
    warnings = [f"left {named([item.path.name for item in running])} beside {out.name}: process "
                f"{', '.join(str(item.pid) for item in running)} that made it is still running"] if running else []
    if not leftovers:
        return warnings
    if not os.path.lexists(out):
        chosen = _to_restore(leftovers)
        if chosen is not None:
            os.replace(chosen.path, out)
            leftovers.remove(chosen)
            what = "a finished export" if chosen.kind == STAGE else "the previous export"
            warnings.append(f"{out} was missing after a killed export: restored {what} from {chosen.path.name}")
    removed, kept, stuck = [], [], []
    for item in leftovers:
        if item.kind == OLD and not survey(item.path).is_loraprep_export:
            kept.append(item.path.name)
            continue
        gone = discard(out, item.path) if item.kind == OLD else _remove(item.path)
        (removed if gone else stuck).append(item.path.name)
    if removed:
        warnings.append(f"removed {len(removed)} folder(s) left beside {out.name} by killed exports: {named(removed)}")
    if stuck:
        warnings.append(f"could not remove {named(stuck)} beside {out.name} (left by killed exports); delete by hand")
    if kept:
        warnings.append(f"kept {named(kept)} beside {out.name}: a killed export had set it aside, and it is not "
                        "provably a loraprep export; look inside, then delete it or move it back yourself")
    return warnings


def _to_restore(leftovers: list[Leftover]) -> Leftover | None:
    complete = []
    for item in leftovers:
        if item.kind in (STAGE, OLD):
            found = survey(item.path)
            if found.complete:
                complete.append((found.claim.written_at_ns, item))
    if complete:
        return max(complete, key=lambda pair: pair[0])[1]
    set_aside = [item for item in leftovers if item.kind == OLD]
    return max(set_aside, key=lambda item: item.path.lstat().st_mtime_ns) if set_aside else None
