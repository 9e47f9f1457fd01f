"""A kill at each step of the export swap leaves a state the next export (or the output check) recovers from.

A kill is simulated in process: at the chosen step, the rename or delete raises ``Killed`` and every later rename or
delete does nothing (a dead process runs no cleanup), so the folders are left exactly as a real kill leaves them.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import pytest

from loraprep.errors import ExportError
from loraprep.export import export_dataset, pipeline, read_report
from loraprep.export.leftovers import find_leftovers
from loraprep.export.outlock import lock_path, output_lock
from loraprep.export.ownership import survey
from loraprep.export.swap import check_output_folder, prepare_output


class Killed(BaseException):
    pass


class Kill:
    """Kill the export at the n-th folder rename (1: OUT set aside, 2: stage to OUT, 3: old to -del-), or in the
    delete of the condemned folder (``in_delete``), or before the manifest is written (``before_manifest``)."""

    def __init__(self, monkeypatch, *, at_rename: int = 0, in_delete: bool = False, before_manifest: bool = False):
        self.dead, self.renames = False, 0
        real_replace, real_rmtree = os.replace, shutil.rmtree

        def fake_replace(src, dst, *a, **k):
            if self.dead:
                raise Killed()
            self.renames += 1
            if self.renames == at_rename:
                self.dead = True
                raise Killed()
            return real_replace(src, dst, *a, **k)

        def fake_rmtree(path, *a, **k):
            if self.dead:
                raise Killed()
            if in_delete and ".loraprep-del-" in str(path):
                self.dead = True
                victims = sorted(p for p in Path(path).rglob("*") if p.is_file())
                for p in victims[: len(victims) // 2]:  # half deleted when the kill comes
                    p.unlink()
                raise Killed()
            return real_rmtree(path, *a, **k)

        def fake_manifest(*a, **k):
            self.dead = True
            raise Killed()

        monkeypatch.setattr(os, "replace", fake_replace)
        monkeypatch.setattr(shutil, "rmtree", fake_rmtree)
        if before_manifest:
            monkeypatch.setattr(pipeline, "write_manifest", fake_manifest)


def recaptioned(items, text: str):
    return [replace(i, caption=f"{i.caption}, {text}" if i.caption else text) for i in items]


def kinds(out: Path) -> list[str]:
    return sorted(item.kind for item in find_leftovers(out))


def killed_reexport(dataset, monkeypatch, **kill) -> tuple[Path, list]:
    """A first export, then a second one (new captions) killed as asked; returns OUT and the second's items."""
    _, items, options = dataset
    first = export_dataset(items, "kohya", options())
    second = recaptioned(items, "second")
    with monkeypatch.context() as patch:
        Kill(patch, **kill)
        with pytest.raises(Killed):
            export_dataset(second, "kohya", options())
    return first.out_dir, second


def captions(out: Path) -> list[str]:
    return sorted(row["caption"] for row in read_report(out)["images"])


def test_killed_between_the_two_renames_restores_the_finished_export(dataset, monkeypatch, tmp_path):
    out, second = killed_reexport(dataset, monkeypatch, at_rename=2)
    assert not out.exists() and kinds(out) == ["old", "tmp"]  # the state the issue saw
    _, items, options = dataset
    report = export_dataset(recaptioned(items, "third"), "kohya", options())
    assert any("restored a finished export" in w for w in report.warnings)
    assert any("removed 1 folder(s)" in w for w in report.warnings)
    assert all(c.endswith("third") for c in captions(out)) and kinds(out) == []
    assert sorted(os.listdir(tmp_path)) == ["my lora", "out"]


def test_the_output_check_alone_recovers_the_newest_complete_export(dataset, monkeypatch):
    out, second = killed_reexport(dataset, monkeypatch, at_rename=2)
    _, _, options = dataset
    checked, warnings = prepare_output(out, options().dataset_root)
    assert checked == out and kinds(out) == []
    assert any("was missing after a killed export" in w for w in warnings)
    # the stage was the newer of the two complete folders: the second export's captions are back
    assert all(c.endswith("second") for c in captions(out)) and len(captions(out)) == len(second)
    assert survey(out).complete


def test_without_a_complete_stage_the_set_aside_export_comes_back(dataset, monkeypatch):
    out, _ = killed_reexport(dataset, monkeypatch, at_rename=2)
    stage = next(item.path for item in find_leftovers(out) if item.kind == "tmp")
    shutil.rmtree(stage / "img")  # the stage is not complete any more
    check_output_folder(out, dataset[0])
    assert survey(out).complete and not any(", second" in c for c in captions(out))
    assert kinds(out) == []


@pytest.mark.parametrize("kill", [dict(at_rename=1), dict(before_manifest=True)])
def test_killed_before_the_swap_keeps_the_previous_export_and_drops_the_stage(dataset, monkeypatch, kill):
    out, _ = killed_reexport(dataset, monkeypatch, **kill)
    assert survey(out).complete and kinds(out) == ["tmp"]
    previous = captions(out)
    _, items, options = dataset
    report = export_dataset(items, "kohya", options())
    assert captions(out) == previous and kinds(out) == []
    assert any("removed 1 folder(s)" in w and "loraprep-tmp-" in w for w in report.warnings)


@pytest.mark.parametrize("kill", [dict(at_rename=3), dict(in_delete=True)])
def test_killed_after_the_swap_removes_the_previous_export(dataset, monkeypatch, kill):
    out, _ = killed_reexport(dataset, monkeypatch, **kill)
    assert survey(out).complete and all(c.endswith("second") for c in captions(out))
    assert kinds(out) == (["old"] if "at_rename" in kill else ["del"])
    warnings = prepare_output(out, dataset[0])[1]
    assert kinds(out) == [] and any("removed 1 folder(s)" in w for w in warnings)


def test_a_set_aside_folder_that_is_not_an_export_is_kept_and_named(dataset, monkeypatch, tmp_path):
    _, items, options = dataset
    out = tmp_path / "out"
    (out / "work").mkdir(parents=True)
    (out / "work" / "model.safetensors").write_bytes(b"weights")
    with monkeypatch.context() as patch:
        Kill(patch, at_rename=3)  # replacing the user's folder on purpose, killed before it was deleted
        with pytest.raises(Killed):
            export_dataset(items, "kohya", options(replace=True))
    old = next(item.path for item in find_leftovers(out) if item.kind == "old")
    report = export_dataset(items, "kohya", options())
    assert (old / "work" / "model.safetensors").read_bytes() == b"weights"
    assert any(old.name in w and "kept" in w for w in report.warnings)


def test_a_set_aside_user_folder_comes_back_when_nothing_else_is_complete(dataset, monkeypatch, tmp_path):
    _, items, options = dataset
    out = tmp_path / "out"
    out.mkdir()
    (out / "notes.md").write_text("mine")
    with monkeypatch.context() as patch:
        Kill(patch, at_rename=2)
        with pytest.raises(Killed):
            export_dataset(items, "kohya", options(replace=True))
    for item in find_leftovers(out):
        if item.kind == "tmp":
            shutil.rmtree(item.path)
    with pytest.raises(ExportError, match="notes.md"):  # back in place, and still not ours to replace
        export_dataset(items, "kohya", options())
    assert (out / "notes.md").read_text() == "mine" and kinds(out) == []


def test_leftovers_of_the_previous_version_and_a_stale_lock_are_cleaned(dataset, tmp_path):
    _, items, options = dataset
    export_dataset(items, "kohya", options())
    out = tmp_path / "out"
    legacy_stage = tmp_path / ".out.loraprep-tmp-1a2b3c4d"
    (legacy_stage / "img").mkdir(parents=True)
    (legacy_stage / "img" / "half.png").write_bytes(b"half")
    lock_path(out).write_text("999999999\n")  # a killed export's lock file: nobody holds it
    unrelated = tmp_path / ".out.loraprep-tmp-notours"
    unrelated.mkdir()
    report = export_dataset(items, "kohya", options())
    assert not legacy_stage.exists() and unrelated.exists() and not lock_path(out).exists()
    assert any(legacy_stage.name in w for w in report.warnings)


def test_a_running_export_is_never_disturbed(dataset, tmp_path):
    _, items, options = dataset
    out = tmp_path / "out"
    export_dataset(items, "kohya", options())
    running_stage = tmp_path / f".out.loraprep-tmp-{os.getpid()}-0badc0de"
    running_stage.mkdir()
    (running_stage / "being-written.png").write_bytes(b"x")
    with output_lock(out):  # another export holds the folder
        with pytest.raises(ExportError, match="another loraprep export to .* is running") as caught:
            export_dataset(items, "kohya", options())
        with pytest.raises(ExportError, match="is running"):
            check_output_folder(out, dataset[0])
        assert str(os.getpid()) in str(caught.value)
        assert (running_stage / "being-written.png").exists()
    assert survey(out).complete


def test_a_stage_of_another_live_process_is_left_until_that_process_ends(dataset, tmp_path):
    _, items, options = dataset
    sleeper = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        stage = tmp_path / f".out.loraprep-tmp-{sleeper.pid}-feedf00d"
        stage.mkdir()
        (stage / "part.png").write_bytes(b"x")
        report = export_dataset(items, "kohya", options())
        assert (stage / "part.png").exists()
        assert any(stage.name in w and "still running" in w for w in report.warnings)
    finally:
        sleeper.kill()
        sleeper.wait(timeout=10)
    report = export_dataset(items, "kohya", options())
    assert not stage.exists() and any(stage.name in w for w in report.warnings)


def test_an_output_that_is_a_link_to_an_export_is_replaced_without_touching_the_target(dataset, tmp_path):
    _, items, options = dataset
    real = export_dataset(items, "kohya", options(tmp_path / "real")).out_dir
    (tmp_path / "out").symlink_to(real, target_is_directory=True)
    export_dataset(items[:2], "kohya", options())
    assert not (tmp_path / "out").is_symlink() and len(read_report(tmp_path / "out")["images"]) == 2
    assert len(read_report(real)["images"]) == len(items)
    assert sorted(os.listdir(tmp_path)) == ["my lora", "out", "real"]
