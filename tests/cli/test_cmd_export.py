"""`loraprep export` and `run` on an existing folder: refuse what is not a loraprep export, --replace, --link."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from loraprep import ops
from tests.cli.test_commands import assert_user_error, invoke
from tests.conftest import make_image
from tests.export.conftest import files_under, foreign_project


@pytest.fixture
def captioned(tmp_path) -> Path:
    root = tmp_path / "ds"
    for i, (concept, ext) in enumerate([("hat", "png"), ("hat", "jpg"), ("coat", "png")]):
        image = make_image(root / concept / f"{i:02d}.{ext}", (160, 128), color=(30 * i, 90, 200))
        image.with_suffix(".txt").write_text(f"mychar, {concept}, pose {i}", encoding="utf-8")
    ops.scan(root, min_size=64)
    return root


def test_the_issue_reproduction_refuses_and_leaves_every_file(captioned, tmp_path, capfd):
    proj = tmp_path / "proj"
    before = foreign_project(proj)
    for command in ("export", "run"):
        r = invoke(capfd, command, captioned, proj)
        assert_user_error(r, says="not a loraprep export")
        assert "notes.md" in r.stderr and "src/" in r.stderr and "--replace" in r.stderr
        assert files_under(proj) == before


def test_replace_overrides_and_json_reports_the_copy(captioned, tmp_path, capfd):
    out = tmp_path / "out"
    out.mkdir()
    (out / "model.safetensors").write_bytes(b"weights")
    assert_user_error(invoke(capfd, "export", captioned, out), says="model.safetensors")
    r = invoke(capfd, "export", captioned, out, "--replace", "--json")
    assert r.returncode == 0, r.stderr
    report = json.loads(r.stdout)
    assert not (out / "model.safetensors").exists()
    assert report["counts"]["link"] == 0 and report["counts"]["copy"] + report["counts"]["reflink"] == 3
    for row in report["images"]:  # copies by default: the export is a file of its own
        assert os.stat(out / row["output"]).st_ino != os.stat(row["source"]).st_ino


def test_link_is_an_opt_in_with_a_warning(captioned, tmp_path, capfd):
    out = tmp_path / "out"
    r = invoke(capfd, "export", captioned, out, "--link")
    assert r.returncode == 0, r.stderr
    assert "hard-linked" in r.stdout and "edits the original" in r.stdout
    report = json.loads((out / "export.json").read_text(encoding="utf-8"))
    assert {row["method"] for row in report["images"]} == {"link"}
    r = invoke(capfd, "export", captioned, out)
    assert r.returncode == 0, r.stderr
    assert "hard-linked" not in r.stdout
    assert_user_error(invoke(capfd, "export", captioned, out, "--link", "--copy"), code=2, says="--link")


def test_run_replaces_with_replace(captioned, tmp_path, capfd):
    out = tmp_path / "out"
    out.mkdir()
    (out / "sample.png").write_bytes(b"user's sample")
    assert_user_error(invoke(capfd, "run", captioned, out, "--model", tmp_path / "none"), says="sample.png")
    assert (out / "sample.png").exists()
