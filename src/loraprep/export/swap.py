"""Build an output folder beside its final place and swap it in, so a failed export leaves the previous one whole.

An existing folder is replaced only when it is provably a loraprep export (ownership.py) or the caller says
``replace``; the whole check-stage-swap runs under the output lock, after recovering what killed exports left.
"""

from __future__ import annotations

import os
import shutil
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

from loraprep.errors import ExportError
from loraprep.export.leftovers import OLD, STAGE, discard, recover, sibling
from loraprep.export.manifest import REPORT
from loraprep.export.outlock import output_lock
from loraprep.export.ownership import named, survey
from loraprep.store.atomic import fsync_dir

MARKER = REPORT  # the report every loraprep export carries; the manifest beside it is what proves the folder ours


@dataclass(frozen=True)
class Staging:
    """The folder to fill, and what recovery did before it was made (warnings for the report)."""

    path: Path
    warnings: tuple[str, ...]


def check_output_folder(out_dir: Path, dataset_root: Path, replace: bool = False) -> Path:
    """The resolved output folder, refusing one inside the dataset, one containing it, or a folder that is not
    provably a loraprep export (unless ``replace``); what killed exports left beside it is recovered first."""
    return prepare_output(out_dir, dataset_root, replace)[0]


def prepare_output(out_dir: Path, dataset_root: Path, replace: bool = False) -> tuple[Path, tuple[str, ...]]:
    """check_output_folder, also returning the warnings of the recovery it ran."""
    out = resolve_output(out_dir, dataset_root)
    if not out.parent.is_dir():
        return out, ()
    with output_lock(out):
        warnings = recover(out)
        _check_replaceable(out, replace)
    return out, tuple(warnings)


def resolve_output(out_dir: Path, dataset_root: Path) -> Path:
    """The absolute output path, refusing one inside the dataset, one containing it, or a file (no IO but stats)."""
    out = Path(os.path.abspath(out_dir))
    dataset = Path(os.path.abspath(dataset_root))
    out_real, dataset_real = Path(os.path.realpath(out)), Path(os.path.realpath(dataset))
    if out_real == dataset_real or dataset_real in out_real.parents:
        raise ExportError(
            f"the output folder {out} is inside the dataset {dataset}",
            hint="export next to the dataset instead, e.g. `loraprep export DATASET DATASET-export`; "
            "files inside the dataset would be scanned as images on the next run",
        )
    if out_real in dataset_real.parents:
        raise ExportError(
            f"the output folder {out} contains the dataset {dataset}",
            hint="choose a new folder: replacing this one would delete the dataset",
        )
    if out.exists() and not out.is_dir():
        raise ExportError(f"the output path {out} is a file", hint="choose a folder path")
    return out


def _check_replaceable(out: Path, replace: bool) -> None:
    if replace or not out.is_dir():
        return
    found = survey(out)
    if found.is_loraprep_export:
        return
    hint = ("move them out, choose another folder, or pass --replace to replace the whole folder anyway "
            "(everything in it is deleted)")
    if found.claim is None:
        if not found.unclaimed:
            return  # an empty folder
        raise ExportError(f"the output folder {out} is not empty and is not a loraprep export: it holds "
                          f"{named(found.unclaimed)}",
                          hint="choose an empty or new folder, or pass --replace to replace this one anyway "
                          "(everything in it is deleted)")
    parts = []
    if found.unclaimed:
        parts.append(f"files loraprep did not write: {named(found.unclaimed)}")
    if found.changed:
        parts.append(f"files changed since loraprep wrote them: {named(found.changed)}")
    older = " (an export by an older loraprep, whose export.json lists what it wrote)" \
        if found.claim.source == "report" else ""
    raise ExportError(f"the output folder {out}{older} holds " + "; and ".join(parts), hint=hint)


@contextmanager
def staged_folder(out: Path, replace: bool = False) -> Iterator[Staging]:
    """Yield an empty sibling folder to fill; on success it replaces ``out``, on any error it is removed.

    The output lock is held throughout: recovery of killed exports, the replace check, staging and the swap.
    """
    out.parent.mkdir(parents=True, exist_ok=True)
    with output_lock(out):
        warnings = recover(out)
        _check_replaceable(out, replace)
        stage = sibling(out, STAGE)
        stage.mkdir()
        try:
            yield Staging(stage, tuple(warnings))
            _sync_tree(stage)
            swap_in(stage, out)
        except BaseException:
            shutil.rmtree(stage, ignore_errors=True)
            raise


def swap_in(stage: Path, out: Path) -> None:
    """Put ``stage`` at ``out``; the previous ``out`` is moved aside first and restored if the rename fails."""
    old = sibling(out, OLD)
    had_previous = os.path.lexists(out)
    if had_previous:
        os.replace(out, old)
    try:
        os.replace(stage, out)
    except BaseException:
        if had_previous:
            os.replace(old, out)
        raise
    fsync_dir(out.parent)
    if had_previous:
        discard(out, old)


def _sync_tree(folder: Path) -> None:
    # One flush for the whole staged tree instead of an fsync per file: the swap is the atomic unit.
    if hasattr(os, "sync"):
        os.sync()
