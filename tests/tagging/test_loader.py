"""Loading: local folders, the Hugging Face cache offline (real hf_hub_download path), and clear errors."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from loraprep.errors import ModelError
from loraprep.tagging.loader import read_tags, resolve
from loraprep.tagging.pipeline import load_tagger
from tests.tagging.conftest import write_onnx, write_tags_csv

REPO = "someone/tiny-tagger"
COMMIT_A = "a" * 40
COMMIT_B = "b" * 40


def hf_cache(root: Path, snapshots: dict[str, Path], main: str) -> Path:
    """The huggingface_hub cache layout: models--owner--name/{refs/main, snapshots/<commit>/<files>}."""
    repo_dir = root / ("models--" + REPO.replace("/", "--"))
    (repo_dir / "refs").mkdir(parents=True)
    (repo_dir / "refs" / "main").write_text(main)
    for commit, folder in snapshots.items():
        shutil.copytree(folder, repo_dir / "snapshots" / commit)
    return root


@pytest.fixture
def offline(monkeypatch):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")


def test_local_folder_loads_with_content_key(model_dir):
    folder = model_dir(outputs=5)
    tagger = load_tagger(str(folder), device="cpu")
    assert tagger.input_size == 32
    assert tagger.key.startswith("m@") and len(tagger.key) == len("m@") + 12
    assert tagger.vocabulary[0] == ("general", "rating")
    assert tagger.vocabulary[1] == ("tag 0", "general")
    assert load_tagger(str(folder / "model.onnx"), device="cpu").key == tagger.key


def test_key_changes_when_the_model_changes(model_dir):
    folder = model_dir(outputs=5)
    before = load_tagger(str(folder), device="cpu").key
    write_onnx(folder / "model.onnx", outputs=5, seed=1)
    assert load_tagger(str(folder), device="cpu").key != before


def test_offline_cache_loads_through_hf_hub_download(tmp_path, model_dir, offline):
    cache = hf_cache(tmp_path / "hub", {COMMIT_A: model_dir(outputs=5, name="a")}, main=COMMIT_A)
    tagger = load_tagger(REPO, cache_dir=cache, device="cpu")
    assert tagger.key == f"{REPO}@{COMMIT_A[:12]}"
    assert tagger.revision == COMMIT_A
    assert str(tagger.model_path).startswith(str(cache))


def test_revision_is_honoured(tmp_path, model_dir, offline):
    cache = hf_cache(tmp_path / "hub", {COMMIT_A: model_dir(outputs=5, name="a"),
                                         COMMIT_B: model_dir(outputs=7, name="b")}, main=COMMIT_A)
    assert len(load_tagger(REPO, cache_dir=cache, device="cpu").vocabulary) == 5
    tagger = load_tagger(REPO, revision=COMMIT_B, cache_dir=cache, device="cpu")
    assert len(tagger.vocabulary) == 7 and tagger.revision == COMMIT_B


def test_empty_cache_offline_names_the_repo_and_the_local_folder_way(tmp_path, offline):
    with pytest.raises(ModelError) as err:
        resolve("wd-swinv2-v3", cache_dir=tmp_path / "empty")
    assert "SmilingWolf/wd-swinv2-tagger-v3" in err.value.message
    assert "HF_HUB_OFFLINE" in err.value.message
    assert "--model /path/to/folder" in err.value.hint


def test_environment_cache_and_offline_flag_in_a_fresh_process(tmp_path, model_dir):
    cache = hf_cache(tmp_path / "hub", {COMMIT_A: model_dir(outputs=5, name="a")}, main=COMMIT_A)
    code = ("import json; from loraprep.tagging.pipeline import load_tagger; "
            f"t = load_tagger({REPO!r}, device='cpu'); print(json.dumps([t.key, str(t.model_path)]))")
    env = {**os.environ, "HF_HUB_CACHE": str(cache), "HF_HUB_OFFLINE": "1"}
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    key, path = json.loads(out.stdout.strip().splitlines()[-1])
    assert key == f"{REPO}@{COMMIT_A[:12]}" and path.startswith(str(cache))


def test_folder_without_the_two_files(tmp_path):
    (tmp_path / "half").mkdir()
    write_tags_csv(tmp_path / "half" / "selected_tags.csv", [("general", 9)])
    with pytest.raises(ModelError, match="has no model.onnx"):
        load_tagger(str(tmp_path / "half"))


def test_missing_folder_and_unknown_name():
    with pytest.raises(ModelError, match="model folder not found"):
        resolve("./no/such/folder")
    with pytest.raises(ModelError, match="unknown model") as err:
        resolve("wd-nonsense")
    assert "wd-swinv2-v3" in err.value.hint


def test_csv_width_must_match_the_model_output(model_dir):
    with pytest.raises(ModelError, match="lists 4 tags but the model outputs 5 scores"):
        load_tagger(str(model_dir(outputs=5, tags=4)), device="cpu")


def test_nchw_input_is_refused(model_dir):
    with pytest.raises(ModelError, match="NCHW, not NHWC"):
        load_tagger(str(model_dir(input_shape=("batch", 3, 32, 32))), device="cpu")


def test_non_square_or_dynamic_input_is_refused(model_dir):
    with pytest.raises(ModelError, match="not a fixed square"):
        load_tagger(str(model_dir(input_shape=("batch", "h", "w", 3))), device="cpu")


def test_garbage_model_file(model_dir):
    folder = model_dir()
    (folder / "model.onnx").write_bytes(b"this is not onnx")
    with pytest.raises(ModelError, match="cannot load ONNX model"):
        load_tagger(str(folder), device="cpu")


def test_csv_without_columns_or_with_bad_category(tmp_path):
    bad = tmp_path / "selected_tags.csv"
    bad.write_text("id,label\n0,cat\n", encoding="utf-8")
    with pytest.raises(ModelError, match="no name/category columns"):
        read_tags(bad)
    bad.write_text("tag_id,name,category,count\n0,cat,x,1\n", encoding="utf-8")
    with pytest.raises(ModelError, match=r"selected_tags.csv:2: category 'x'"):
        read_tags(bad)


def test_csv_names_are_displayed_and_categories_named(tmp_path):
    path = write_tags_csv(tmp_path / "selected_tags.csv",
                          [("sensitive", 9), ("long_hair", 0), ("^_^", 0), ("star_(symbol)", 0), ("hatsune_miku", 4)])
    assert read_tags(path) == [("sensitive", "rating"), ("long hair", "general"), ("^_^", "general"),
                               ("star (symbol)", "general"), ("hatsune miku", "character")]
