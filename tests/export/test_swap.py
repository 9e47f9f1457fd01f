"""The staged folder swap: success replaces, failure restores and cleans up."""

from __future__ import annotations

import os

import pytest

from loraprep.export import swap


def test_success_replaces_previous(tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    (out / "old.txt").write_text("old")
    with swap.staged_folder(out, replace=True) as staging:
        (staging.path / "new.txt").write_text("new")
    assert sorted(os.listdir(out)) == ["new.txt"]
    assert os.listdir(tmp_path) == ["out"]


def test_failure_keeps_previous_and_removes_stage(tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    (out / "old.txt").write_text("old")
    with pytest.raises(RuntimeError):
        with swap.staged_folder(out, replace=True) as staging:
            (staging.path / "half.txt").write_text("half")
            raise RuntimeError("boom")
    assert sorted(os.listdir(out)) == ["old.txt"]
    assert os.listdir(tmp_path) == ["out"]


def test_failed_rename_restores_previous(tmp_path, monkeypatch):
    out = tmp_path / "out"
    out.mkdir()
    (out / "old.txt").write_text("old")
    stage = tmp_path / ".stage"
    stage.mkdir()
    real_replace = os.replace

    def flaky(src, dst):
        if str(src) == str(stage):
            raise OSError("disk full")
        return real_replace(src, dst)

    monkeypatch.setattr(os, "replace", flaky)
    with pytest.raises(OSError):
        swap.swap_in(stage, out)
    assert (out / "old.txt").read_text() == "old"


def test_new_output_folder_parent_is_created(tmp_path):
    out = tmp_path / "deep" / "er" / "out"
    with swap.staged_folder(out) as staging:
        (staging.path / "f").write_text("x")
    assert (out / "f").is_file()


def test_symlinked_output_into_dataset_is_refused(tmp_path):
    from loraprep.errors import ExportError

    dataset = tmp_path / "ds"
    (dataset / "sub").mkdir(parents=True)
    link = tmp_path / "sneaky"
    link.symlink_to(dataset / "sub")
    with pytest.raises(ExportError, match="inside the dataset"):
        swap.check_output_folder(link, dataset)
