"""Build an output folder beside its final place and swap it in, so a failed export leaves the previous one whole."""

from __future__ import annotations

import os
import shutil
import uuid
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from loraprep.errors import ExportError
from loraprep.store.atomic import fsync_dir

MARKER = "export.json"  # every loraprep export has one; a folder without it is never replaced


def check_output_folder(out_dir: Path, dataset_root: Path) -> Path:
    """The resolved output folder, refusing one inside the dataset, one containing it, or a foreign folder."""
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
    if out.is_dir() and any(out.iterdir()) and not (out / MARKER).is_file():
        raise ExportError(
            f"the output folder {out} is not empty and is not a loraprep export",
            hint="choose an empty or new folder; loraprep only replaces folders it wrote itself",
        )
    return out


@contextmanager
def staged_folder(out: Path) -> Iterator[Path]:
    """Yield an empty sibling folder to fill; on success it replaces ``out``, on any error it is removed."""
    out.parent.mkdir(parents=True, exist_ok=True)
    token = uuid.uuid4().hex[:8]
    stage = out.parent / f".{out.name}.loraprep-tmp-{token}"
    stage.mkdir()
    try:
        yield stage
        _sync_tree(stage)
        swap_in(stage, out, token)
    except BaseException:
        shutil.rmtree(stage, ignore_errors=True)
        raise


def swap_in(stage: Path, out: Path, token: str | None = None) -> None:
    """Put ``stage`` at ``out``; the previous ``out`` is moved aside first and restored if the rename fails."""
    old = out.parent / f".{out.name}.loraprep-old-{token or uuid.uuid4().hex[:8]}"
    had_previous = out.exists()
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
        shutil.rmtree(old, ignore_errors=True)


def _sync_tree(folder: Path) -> None:
    # One flush for the whole staged tree instead of an fsync per file: the swap is the atomic unit.
    if hasattr(os, "sync"):
        os.sync()
