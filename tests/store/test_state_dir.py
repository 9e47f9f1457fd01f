"""--state-dir / LORAPREP_STATE_DIR: a dataset's state kept outside it, so images on a read-only or shared file
system work and nothing is written into the dataset folder."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from loraprep import ops
from loraprep.errors import DatasetError
from loraprep.store.db import open_store, state_dir_at
from tests.conftest import make_image, snapshot_sources
from tests.ops.sample_helpers import copy_sample


def _loraprep(*args, wrap=lambda argv: argv, env=None):
    argv = wrap([sys.executable, "-m", "loraprep", *map(str, args)])
    return subprocess.run(argv, capture_output=True, text=True, timeout=300, env=env)


def _read_only_mount(folder: Path):
    def wrap(argv: list[str]) -> list[str]:
        return ["unshare", "-m", "sh", "-c", 'mount --bind -o ro "$0" "$0" && exec "$@"', str(folder), *argv]
    return wrap


def _listing(root: Path) -> list[str]:
    return sorted(str(p.relative_to(root)) for p in root.rglob("*"))


def test_whole_workflow_on_a_read_only_dataset_with_state_dir(tmp_path):
    root = copy_sample(tmp_path / "ro")
    state = tmp_path / "local disk" / "sample state"
    out = tmp_path / "exports" / "kohya"
    wrap = _read_only_mount(root)
    probe = subprocess.run(wrap(["sh", "-c", f"! touch '{root}/.probe'"]), capture_output=True)
    if shutil.which("unshare") is None or probe.returncode != 0:
        pytest.skip("cannot make a read-only bind mount here (needs unshare -m and mount privileges)")
    before, files = snapshot_sources(root), _listing(root)
    without = _loraprep("scan", root, wrap=wrap)
    assert without.returncode == 1 and "read-only" in without.stderr.lower()  # the mount is really read-only
    for args in (("scan", root), ("dedup", root), ("tag", root), ("tags", root), ("curate", root, "--diff"),
                 ("caption", root, "outfit_red/red_01.jpg"), ("export", root, out)):
        done = _loraprep(*args, "--state-dir", state, wrap=wrap)
        assert done.returncode == 0, (args, done.stderr)
    status = _loraprep("--json", "status", root, "--state-dir", state, wrap=wrap)
    assert json.loads(status.stdout)["totals"]["images"] == len([p for p in files if p.endswith((".jpg", ".png", ".webp"))])
    assert (state / "state.sqlite").is_file() and (state / "dataset.txt").read_text().strip() == str(root)
    captions = list(out.rglob("*.txt"))
    assert captions and all(c.read_text(encoding="utf-8").strip() for c in captions)
    assert snapshot_sources(root) == before and _listing(root) == files


def test_state_dir_by_setting_and_python_api_write_nothing_into_the_dataset(tmp_path, monkeypatch):
    root = tmp_path / "photos"
    make_image(root / "cats" / "a cat.jpg", (640, 700), color=(90, 10, 10))
    make_image(root / "cats" / "b.webp", (700, 640), color=(10, 90, 10), fmt="WEBP")
    (root / "cats" / "a cat.txt").write_text("cat, sitting", encoding="utf-8")
    files = _listing(root)
    monkeypatch.setenv("LORAPREP_STATE_DIR", str(tmp_path / "by-env"))
    assert ops.scan(root, min_size=64)["totals"]["images"] == 2
    assert (tmp_path / "by-env" / "state.sqlite").is_file()
    with state_dir_at(tmp_path / "by-api"):  # the API's choice wins over the setting
        ops.scan(root, min_size=64)
        assert ops.status(root)["totals"]["captioned"] == 1
    assert (tmp_path / "by-api" / "state.sqlite").is_file()
    monkeypatch.delenv("LORAPREP_STATE_DIR")
    with pytest.raises(DatasetError, match="not been scanned"):  # back to DATASET/.loraprep, never made
        ops.status(root)
    assert _listing(root) == files


def test_one_state_dir_refuses_a_second_dataset(tmp_path):
    state = tmp_path / "state"
    for name in ("first", "second"):
        make_image(tmp_path / name / "x.png", (300, 300))
    with state_dir_at(state):
        ops.scan(tmp_path / "first", min_size=64)
        with pytest.raises(DatasetError, match="another dataset") as caught:
            ops.scan(tmp_path / "second", min_size=64)
        assert "--state-dir" in caught.value.hint
        with open_store(tmp_path / "first") as store:
            assert store.state_dir == state
    assert not (tmp_path / "second" / ".loraprep").exists()


def test_a_state_dir_inside_the_dataset_is_not_scanned(tmp_path):
    root = tmp_path / "ds"
    make_image(root / "one" / "a.png", (300, 300))
    state = root / "one" / "state"
    with state_dir_at(state):
        ops.scan(root, min_size=64)
        make_image(state / "thumbnails" / "1.webp", (64, 64), fmt="WEBP")  # what the editor keeps there
        report = ops.scan(root, min_size=64)
    assert report["totals"]["images"] == 1


def test_cli_option_is_on_every_dataset_command():
    from loraprep.cli.app import app, _register
    from typer.main import get_command

    _register()
    group = get_command(app)
    takes_dataset = [c for c in group.commands.values() if any(p.name == "dataset" for p in c.params)]
    assert len(takes_dataset) >= 10
    for command in takes_dataset:
        assert any("--state-dir" in p.opts for p in command.params), command.name
