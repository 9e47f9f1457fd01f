"""Every command through the real console entry point: --json is pure JSON, exit codes, one-line errors."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from loraprep import ops
from tests.conftest import make_image
from tests.ops.sample_helpers import copy_sample


def cli(*args, cwd: Path | None = None) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k != "LORAPREP_DEBUG"}
    env["HF_HUB_OFFLINE"] = "1"
    return subprocess.run([sys.executable, "-m", "loraprep", *map(str, args)], capture_output=True, text=True,
                          env=env, cwd=cwd)


@pytest.fixture(autouse=True)
def no_debug(monkeypatch):
    """The contract under test is the user's: no LORAPREP_DEBUG, no hub access."""
    monkeypatch.delenv("LORAPREP_DEBUG", raising=False)
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")


def invoke(capfd, *args) -> subprocess.CompletedProcess:
    """The same entry point in this process (fast), with file-descriptor capture so C-level output counts too."""
    from loraprep.cli.app import main

    capfd.readouterr()
    code = 0
    try:
        main([str(a) for a in args])
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
    out, err = capfd.readouterr()
    return subprocess.CompletedProcess(list(args), code, out, err)


# The workflow in order; each step: (name, args after the dataset, a check of the parsed JSON).
WORKFLOW = [
    ("scan", ["scan", "{ds}"], lambda d: d["totals"]["images"] == 39 and d["totals"]["failed"] == 1),
    ("status", ["status", "{ds}"], lambda d: d["totals"]["active"] == 38),
    ("dedup", ["dedup", "{ds}"], lambda d: d["excluded"] == 2),   # the sample's two planted duplicates
    # the recipe's [crop] names the tiny detector; its three group pictures hold two characters each
    ("detect", ["detect", "{ds}"], lambda d: d["detected"] == 36 and d["multi"] == 3
     and d["model"].startswith("tiny_detector@")),
    ("crop", ["crop", "{ds}"], lambda d: d["made"] == 6 and d["pictures"] == 3 and d["batch"]),
    ("tag", ["tag", "{ds}"], lambda d: d["tagged"] == 42 and d["model"].startswith("tiny_tagger@")),
    ("tag-again", ["tag", "{ds}", "--general", "0.9"], lambda d: d["tagged"] == 0 and d["summary"]["concepts"]),
    ("tags", ["tags", "{ds}", "--top", "5"], lambda d: [c["concept"] for c in d["concepts"]]
     == ["blobby", "outfit_blue", "outfit_red", "sunny"] and all(len(c["tags"]) <= 5 for c in d["concepts"])),
    ("classify", ["classify", "{ds}"], lambda d: (d["assigned"], d["clusters"], d["embedded"], d["failed"])
     == (14 + 3 + 6, 2, 42 + 6, 0) and d["characters"] == ["blobby", "sunny"]),
    ("curate", ["curate", "{ds}"], lambda d: d["written"] is False and d["rules"] == []
     and {(a["concept"], a["tag"]): a["images"] for a in d["added"]}[("outfit_red", "lpsample")] == 10),
    ("caption", ["caption", "{ds}", "outfit_red/red_04.jpg", "--why"],
     lambda d: d["caption"].startswith("lpsample, red outfit, ") and d["kept"][0]["origin"] == "rule:trigger"),
    ("edit-dry", ["edit-tags", "{ds}", "add", "blurry"], lambda d: d["applied"] is False and d["changed"] > 0),
    ("edit-yes", ["edit-tags", "{ds}", "add", "blurry", "--yes"], lambda d: d["applied"] and d["batch_id"]),
    ("edit-front", ["edit-tags", "{ds}", "add", "masterpiece", "--front", "--where", "concept:outfit_red", "--yes"],
     lambda d: d["applied"] and d["edit"] == "add at the front masterpiece" and d["changed"] == 10),
    ("caption-front", ["caption", "{ds}", "outfit_red/red_04.jpg"],
     lambda d: d["caption"].startswith("lpsample, red outfit, masterpiece, ")),
    ("undo-front", ["undo", "{ds}"], lambda d: d["label"] == "add at the front masterpiece"),
    ("history", ["history", "{ds}"], lambda d: [(b["label"], b["state"]) for b in d[:2]]
     == [("add at the front masterpiece", "undone"), ("add blurry", "done")]),
    ("undo", ["undo", "{ds}"], lambda d: d["label"] == "add blurry" and d["state"] == "undone"),
    ("redo", ["redo", "{ds}"], lambda d: d["label"] == "add blurry" and d["state"] == "done"),
    ("plan", ["plan", "{ds}", "--steps", "1500"], lambda d: d["total_steps"] >= 1500 and len(d["rows"]) == 4),
    ("export", ["export", "{ds}", "{out}"], lambda d: d["counts"]["images"] == 42 and d["format"] == "kohya"),
    ("run", ["run", "{ds}", "{out}"], lambda d: d["tagged"] == 0 and d["exported"] == 42 and d["crops_made"] == 0),
    ("global-json", ["--json", "status", "{ds}"], lambda d: d["totals"]["excluded"] == 2),
]


@pytest.fixture(scope="module")
def sample_copy(tmp_path_factory) -> Path:
    return copy_sample(tmp_path_factory.mktemp("cli"))


@pytest.fixture(scope="module")
def workflow(sample_copy) -> dict[str, subprocess.CompletedProcess]:
    """Run the whole workflow once on a copy of the sample, each command with --json."""
    root = sample_copy
    parent = root.parent.parent
    results = {}
    for name, args, _check in WORKFLOW:
        argv = [a.format(ds=root, out=parent / "out") for a in args]
        if name != "global-json":
            argv.append("--json")
        results[name] = cli(*argv)
    return results


@pytest.mark.parametrize("name,check", [(n, c) for n, _a, c in WORKFLOW], ids=[n for n, _a, _c in WORKFLOW])
def test_every_command_prints_only_json(workflow, name, check):
    r = workflow[name]
    assert r.returncode == 0, r.stderr
    assert "Traceback" not in r.stderr
    data = json.loads(r.stdout)  # the whole of stdout is one JSON document
    assert check(data), data


def test_edit_tags_where_json(workflow, sample_copy, capfd):
    r = invoke(capfd, "edit-tags", sample_copy, "add", "round", "--where", "concept:outfit_red AND circle", "--json")
    assert r.returncode == 0, r.stderr
    data = json.loads(r.stdout)
    assert data["applied"] is False and 0 < data["selected"] < 10 and data["changed"] == data["selected"]


@pytest.fixture(scope="module")
def scanned(tmp_path_factory) -> Path:
    """A tiny scanned dataset (no recipe) for the error cases."""
    root = tmp_path_factory.mktemp("errors") / "ds"
    make_image(root / "c" / "a.png", (96, 96))
    make_image(root / "c" / "b.png", (96, 96), color=(10, 200, 10))
    ops.scan(root)
    return root


def assert_user_error(r: subprocess.CompletedProcess, *, code: int = 1, says: str = "") -> None:
    lines = r.stderr.strip().splitlines()
    assert r.returncode == code, r.stderr
    assert lines and lines[0].startswith("error: ") and any(line.startswith("hint: ") for line in lines[1:]), r.stderr
    assert len(lines) <= 3, r.stderr
    assert "Traceback" not in r.stderr and "internal error" not in r.stderr
    assert r.stdout == ""
    assert says in r.stderr, r.stderr


NOT_SCANNED = [["tag", "{ds}"], ["tags", "{ds}"], ["curate", "{ds}"], ["caption", "{ds}", "a.png"],
               ["edit-tags", "{ds}", "add", "x"], ["plan", "{ds}"], ["export", "{ds}", "{out}"], ["history", "{ds}"],
               ["undo", "{ds}"], ["redo", "{ds}"], ["status", "{ds}"], ["dedup", "{ds}"]]


@pytest.mark.parametrize("args", NOT_SCANNED, ids=[a[0] for a in NOT_SCANNED])
def test_not_scanned_and_missing_dataset(tmp_path, capfd, args):
    empty = tmp_path / "empty"
    empty.mkdir()
    assert_user_error(invoke(capfd, *[a.format(ds=empty, out=tmp_path / "out") for a in args]), says="loraprep scan")
    assert not (empty / ".loraprep").exists()
    missing = [a.format(ds=tmp_path / "missing", out=tmp_path / "out") for a in args]
    assert_user_error(invoke(capfd, *missing), says="not found")


BAD_RECIPE = [["tag", "{ds}"], ["tags", "{ds}"], ["curate", "{ds}"], ["caption", "{ds}", "c/a.png"], ["plan", "{ds}"],
              ["export", "{ds}", "{out}"], ["run", "{ds}", "{out}"]]


@pytest.mark.parametrize("args", BAD_RECIPE, ids=[a[0] for a in BAD_RECIPE])
def test_bad_recipe_toml_names_file_and_line(scanned, tmp_path, capfd, args):
    recipe = scanned / "loraprep.toml"
    recipe.write_text('trigger = ["x"]\n\n[rules]\nmax_tags = = 3\n', encoding="utf-8")
    try:
        r = invoke(capfd, *[a.format(ds=scanned, out=tmp_path / "out") for a in args])
    finally:
        recipe.unlink()
    assert_user_error(r, says="loraprep.toml:4")


def test_unknown_recipe_key_names_its_line(scanned, capfd):
    recipe = scanned / "loraprep.toml"
    recipe.write_text('trigger = ["x"]\n[rules]\nmax_tags = 3\nblaklist = ["y"]\n', encoding="utf-8")
    try:
        r = invoke(capfd, "curate", scanned)
    finally:
        recipe.unlink()
    assert_user_error(r, says="loraprep.toml:4")


def test_unknown_model_and_missing_model_folder(scanned, tmp_path, capfd):
    assert_user_error(invoke(capfd, "tag", scanned, "--model", "wd-no-such-tagger"), says="unknown model")
    assert_user_error(invoke(capfd, "tag", scanned, "--model", tmp_path / "no_model_here"),
                      says="model folder not found")


def test_output_inside_the_dataset_is_refused(scanned, capfd):
    assert_user_error(invoke(capfd, "export", scanned, scanned / "out"), says="inside the dataset")
    assert_user_error(invoke(capfd, "run", scanned, scanned / "c" / "out"), says="inside the dataset")
    assert not (scanned / "out").exists() and not (scanned / "c" / "out").exists()


def test_other_user_errors(scanned, tmp_path, capfd):
    assert_user_error(invoke(capfd, "undo", scanned), says="nothing to undo")
    assert_user_error(invoke(capfd, "caption", scanned, "c/zzz.png"), says="no image")
    assert_user_error(invoke(capfd, "tags", scanned, "--concept", "nope"), says="no active images in concept")
    assert_user_error(invoke(capfd, "export", scanned, tmp_path / "out", "--format", "zip"),
                      says="unknown export format")
    assert_user_error(invoke(capfd, "edit-tags", scanned, "frobnicate", "x"), code=2, says="unknown edit")
    assert_user_error(invoke(capfd, "edit-tags", scanned, "replace", "x"), code=2, says="--to")
    assert_user_error(invoke(capfd, "edit-tags", scanned, "add"), code=2, says="at least one tag")


@pytest.mark.parametrize("where", ['concept:armor AND (', 'score("blurry") >', 'AND AND'])
def test_bad_where_is_a_clean_error(scanned, capfd, where):
    r = invoke(capfd, "edit-tags", scanned, "add", "x", "--where", where)
    assert r.returncode in (1, 2), r.stderr
    assert r.stderr.startswith("error: ") and "hint: " in r.stderr and "Traceback" not in r.stderr


@pytest.mark.parametrize("args", [["frobnicate"], ["tag"], ["tags", "{ds}", "--top", "0"],
                                  ["tags", "{ds}", "--general", "2"], ["scan", "{ds}", "--nope"],
                                  ["export", "{ds}"]], ids=["command", "argument", "top", "threshold", "option", "out"])
def test_usage_errors_exit_2(scanned, capfd, args):
    r = invoke(capfd, *[a.format(ds=scanned) for a in args])
    assert r.returncode == 2, r.stderr
    assert "Traceback" not in r.stderr and r.stdout == ""


def test_edit_tags_refuses_front_for_anything_but_add(workflow, sample_copy, capfd):
    r = invoke(capfd, "edit-tags", sample_copy, "remove", "smile", "--front")
    assert r.returncode != 0 and "Traceback" not in r.stderr
    assert "position 'front' is not possible for 'remove'" in r.stdout + r.stderr


def test_dedup_prints_carried_captions_and_warnings_with_their_names_as_written(tmp_path, capfd):
    """Paths in dedup's carry lines and warnings are shown literally: `[red]` in a name is not a style."""
    from tests.ops.test_dedup import _photo

    root = tmp_path / "ds"
    big = _photo(root / "c" / "[red]big.png", 5, size=(1000, 1000))
    big.resize((500, 500)).save(root / "c" / "[bold]small.png")
    (root / "c" / "[red]big.txt").write_text("cat ears", encoding="utf-8")
    (root / "c" / "[bold]small.txt").write_text("dog ears", encoding="utf-8")
    for i in range(3):
        _photo(root / "c" / f"o{i}.png", 40 + i)
    assert invoke(capfd, "scan", root).returncode == 0
    shown = invoke(capfd, "dedup", root)
    assert shown.returncode == 0, shown.stderr
    assert "c/[bold]small.png: its caption/edits" in shown.stdout and "c/[red]big.png" in shown.stdout
