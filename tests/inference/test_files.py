"""The one model-file finder: any family's files from a local folder or the hub cache (subfolders too), offline."""

from __future__ import annotations

from pathlib import Path

import pytest

from loraprep.errors import ModelError
from loraprep.inference import registry
from loraprep.inference.files import Family, resolve

DETECTOR = Family("test-detector", ("meta.json", "model.onnx"), "test detector", "loraprep detect DATASET --model")
COMMIT = "c" * 40


@pytest.fixture
def offline(monkeypatch):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")


def _cache_with_subfolder(root: Path, repo: str, subfolder: str) -> Path:
    repo_dir = root / ("models--" + repo.replace("/", "--"))
    (repo_dir / "refs").mkdir(parents=True)
    (repo_dir / "refs" / "main").write_text(COMMIT)
    folder = repo_dir / "snapshots" / COMMIT / subfolder
    folder.mkdir(parents=True)
    (folder / "meta.json").write_text("{}")
    (folder / "model.onnx").write_bytes(b"onnx")
    return root


def test_local_folder_needs_every_file_of_its_family(tmp_path):
    (tmp_path / "model.onnx").write_bytes(b"x")
    with pytest.raises(ModelError) as err:
        resolve(str(tmp_path), DETECTOR)
    assert "meta.json" in str(err.value) and "test detector" in err.value.hint
    (tmp_path / "meta.json").write_text("{}")
    found = resolve(str(tmp_path / "model.onnx"), DETECTOR)
    assert found.path("meta.json") == tmp_path / "meta.json" and len(found.revision) == 64
    (tmp_path / "meta.json").write_text('{"v": 2}')
    assert resolve(str(tmp_path), DETECTOR).revision != found.revision


def test_registry_entry_with_a_subfolder_resolves_from_the_cache_offline(tmp_path, offline, monkeypatch):
    entry = registry.ModelInfo("tiny-person", "someone/detectors", family="test-detector", subfolder="person_v1")
    monkeypatch.setattr(registry, "KNOWN", (*registry.KNOWN, entry))
    cache = _cache_with_subfolder(tmp_path / "hub", "someone/detectors", "person_v1")
    found = resolve("tiny-person", DETECTOR, cache_dir=cache)
    assert found.key == f"tiny-person@{COMMIT[:12]}" and found.repo_id == "someone/detectors"
    assert found.path("model.onnx").read_bytes() == b"onnx"
    assert registry.lookup("someone/detectors/person_v1").name == "tiny-person"
    assert registry.lookup("tiny-person", "tagger") is None


def test_missing_from_the_cache_offline_says_how_to_use_a_folder(tmp_path, offline, monkeypatch):
    entry = registry.ModelInfo("tiny-head", "someone/detectors", family="test-detector", subfolder="head_v1")
    monkeypatch.setattr(registry, "KNOWN", (*registry.KNOWN, entry))
    with pytest.raises(ModelError) as err:
        resolve("tiny-head", DETECTOR, cache_dir=tmp_path / "empty")
    assert "HF_HUB_OFFLINE" in str(err.value)
    assert "someone/detectors/tree/main/head_v1" in err.value.hint and "loraprep detect" in err.value.hint


def test_unknown_name_lists_the_family_only(tmp_path):
    with pytest.raises(ModelError) as err:
        resolve("nothing-like-it", DETECTOR)
    assert "wd-" not in err.value.hint and "model.onnx" in err.value.hint
