"""What loraprep wrote in an export folder: the manifest it writes last, and the claim read back from a folder.

The manifest (``.loraprep-manifest.json``) lists every file loraprep wrote with its size, every folder, the files
that are hard links (their size follows the source's), and the trainer cache folders the export's own config
points into. Writing it is the last step of staging, so a staged folder with a manifest is complete.
Exports by loraprep versions before the manifest are recognised by their ``export.json`` report instead.
"""

from __future__ import annotations

import json
import os
import time
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Iterable, Mapping

MANIFEST = ".loraprep-manifest.json"
REPORT = "export.json"
MANIFEST_VERSION = 1
_MAX_RECORD_BYTES = 256 * 1024 * 1024  # a report of a million images is far below this; a bigger file is not ours


@dataclass(frozen=True)
class Claim:
    """The entries of a folder that loraprep says it wrote. ``files`` maps a relative path to its size (None: not
    checked, for hard links and for exports recorded only by their report)."""

    files: Mapping[str, int | None]
    dirs: frozenset[str]
    cache_dirs: tuple[str, ...]
    written_at_ns: int
    source: str  # "manifest" | "report"

    def image_stems(self) -> dict[str, set[str]]:
        """Per folder, the stems of the images loraprep placed there (trainers name their caches after them)."""
        stems: dict[str, set[str]] = {}
        for rel in self.files:
            path = PurePosixPath(rel)
            if path.suffix.lower() in (".jpg", ".jpeg", ".png"):
                parent = "" if str(path.parent) == "." else str(path.parent)
                stems.setdefault(parent, set()).add(path.stem)
        return stems


def write_manifest(stage: Path, linked: Iterable[str], cache_dirs: Iterable[str]) -> None:
    """Record everything under ``stage`` (written last: its presence marks the stage complete)."""
    linked = set(linked)
    files: dict[str, int] = {}
    dirs: list[str] = []
    for folder, subdirs, names in os.walk(stage):
        rel_folder = Path(folder).relative_to(stage).as_posix()
        prefix = "" if rel_folder == "." else rel_folder + "/"
        dirs.extend(prefix + d for d in subdirs)
        for name in names:
            files[prefix + name] = os.lstat(os.path.join(folder, name)).st_size
    record = {
        "loraprep_manifest": MANIFEST_VERSION,
        "written_at_ns": time.time_ns(),
        "pid": os.getpid(),
        "files": dict(sorted(files.items())),
        "linked": sorted(linked & files.keys()),
        "dirs": sorted(dirs),
        "cache_dirs": sorted(set(cache_dirs)),
    }
    with open(stage / MANIFEST, "wb") as handle:
        handle.write((json.dumps(record, ensure_ascii=False, indent=1) + "\n").encode("utf-8"))


def read_claim(folder: Path) -> Claim | None:
    """What loraprep wrote in ``folder`` by its manifest, else by an older version's report; None when neither."""
    record = _read_json(folder / MANIFEST)
    if record is not None:
        claim = _claim_from_manifest(record)
        if claim is not None:
            return claim
    report = _read_json(folder / REPORT)
    if report is not None:
        return _claim_from_report(report, folder)
    return None


def _read_json(path: Path):
    try:
        if not path.is_file() or path.is_symlink() or path.stat().st_size > _MAX_RECORD_BYTES:
            return None
        return json.loads(path.read_bytes().decode("utf-8"))
    except (OSError, ValueError):
        return None


def _claim_from_manifest(record) -> Claim | None:
    if not isinstance(record, dict) or record.get("loraprep_manifest") != MANIFEST_VERSION:
        return None
    files, linked, dirs = record.get("files"), record.get("linked"), record.get("dirs")
    cache_dirs, written = record.get("cache_dirs", []), record.get("written_at_ns")
    if not (isinstance(files, dict) and _strings(linked) and _strings(dirs) and _strings(cache_dirs)
            and isinstance(written, int) and all(isinstance(s, int) for s in files.values())):
        return None
    sizes: dict[str, int | None] = dict(files)
    for rel in linked:
        sizes[rel] = None
    return Claim(sizes, frozenset(dirs), tuple(cache_dirs), written, "manifest")


def _claim_from_report(report, folder: Path) -> Claim | None:
    """An export written before the manifest existed: its report lists the placed images and the config files."""
    from loraprep.errors import ExportError
    from loraprep.export.registry import get_exporter

    if not isinstance(report, dict) or not isinstance(report.get("loraprep_export"), int):
        return None
    images, configs = report.get("images"), report.get("config_files")
    if not isinstance(images, list) or not _strings(configs):
        return None
    outputs = [row.get("output") for row in images if isinstance(row, dict)]
    if len(outputs) != len(images) or not _strings(outputs):
        return None
    try:
        exporter = get_exporter(str(report.get("format")))
    except ExportError:  # an unknown format name: not a report this version can vouch for
        return None
    files: dict[str, int | None] = {REPORT: None, **{c: None for c in configs}}
    for out in outputs:
        files[out] = None
        if exporter.sidecar_captions:
            files[str(PurePosixPath(out).with_suffix(".txt"))] = None
    dirs = {str(parent) for rel in files for parent in PurePosixPath(rel).parents if str(parent) != "."}
    cache_dirs: list[str] = []
    if exporter.name == "simpletuner":
        # The previous simpletuner writer pointed its caches at cache/vae/<group folder> and cache/text.
        groups = [g.get("folder") for g in report.get("groups", []) if isinstance(g, dict)]
        cache_dirs = [f"cache/vae/{g}" for g in groups if isinstance(g, str)] + ["cache/text"]
    written = (folder / REPORT).stat().st_mtime_ns
    return Claim(files, frozenset(dirs), tuple(cache_dirs), written, "report")


def _strings(value) -> bool:
    return isinstance(value, list) and all(isinstance(v, str) for v in value)
