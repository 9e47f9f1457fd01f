"""run() and its output folder: refused before any stage unless --replace; a killed export's leftovers recovered."""

from __future__ import annotations

import shutil

import pytest

from loraprep.errors import ExportError
from loraprep.ops.run import run
from tests.ops.sample_helpers import copy_sample


def test_run_refuses_a_foreign_folder_first_replaces_it_when_asked_and_recovers_a_killed_export(tmp_path):
    root = copy_sample(tmp_path)
    out = tmp_path / "out"
    out.mkdir()
    (out / "model.safetensors").write_bytes(b"weights")
    stages: list[str] = []
    with pytest.raises(ExportError, match="model.safetensors"):
        run(root, out, on_stage=stages.append)
    assert stages == [] and (out / "model.safetensors").read_bytes() == b"weights"

    summary = run(root, out, replace=True)
    assert summary["exported"] == 42 and not (out / "model.safetensors").exists()  # 36 pictures + 6 crops

    # what a kill between the two renames of the swap leaves: no OUT, the export set aside, a stage
    old = tmp_path / ".out.loraprep-old-4242-0123abcd"
    out.rename(old)
    shutil.copytree(old, tmp_path / ".out.loraprep-tmp-4242-4567cdef", symlinks=True)
    summary = run(root, out, on_stage=stages.append)
    assert stages[-1] == "export" and summary["exported"] == 42
    assert any("was missing after a killed export" in w for w in summary["warnings"])
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".out")) == []
