"""Per-format specifics: HF imagefolder loads with the real `datasets`, OneTrainer/ai-toolkit/SimpleTuner configs."""

from __future__ import annotations

import json
import tomllib

import pytest

from loraprep.export import export_dataset


def test_hf_imagefolder_loads_with_datasets(dataset, tmp_path, monkeypatch):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("HF_DATASETS_OFFLINE", "1")
    datasets = pytest.importorskip("datasets")
    _, items, options = dataset
    report = export_dataset(items, "hf", options())
    loaded = datasets.load_dataset("imagefolder", data_dir=str(report.out_dir), split="train",
                                   cache_dir=str(tmp_path / "hf-cache"))
    assert loaded.num_rows == len(items)
    assert {"image", "text", "concept", "tier", "repeats"} <= set(loaded.column_names)
    rows = {row["text"]: row for row in loaded}
    armor = rows["mychar, armor"]
    assert armor["concept"] == "armor (v2)" and armor["tier"] == "primary" and armor["repeats"] == 5
    assert armor["image"].size == (600, 600) and armor["image"].mode == "RGB"
    assert rows["mychar, zeta"]["concept"] == "ゼータ"


def test_hf_is_flat_so_concept_names_cannot_become_splits(dataset, tmp_path):
    root, items, options = dataset
    test_item = items[0].__class__(**{**items[0].__dict__, "concept": "test", "image_id": "t"})
    report = export_dataset(items + [test_item], "hf", options())
    assert {str(p.relpath.parent) for p in report.placed} == {"train"}
    lines = (report.out_dir / "train" / "metadata.jsonl").read_text(encoding="utf-8").splitlines()
    assert len(lines) == len(items) + 1
    assert all(set(json.loads(line)) == {"file_name", "text", "concept", "tier", "repeats"} for line in lines)


def test_onetrainer_concepts_json(dataset):
    _, items, options = dataset
    report = export_dataset(items, "onetrainer", options(keep_tokens=2))
    raw = (report.out_dir / "concepts.json").read_bytes()
    raw.decode("ascii")  # escaped: OneTrainer opens it with the platform encoding
    concepts = json.loads(raw)
    assert len(concepts) == 4
    for concept in concepts:
        assert concept["__version"] == 2
        assert concept["balancing_strategy"] == "REPEATS"
        assert concept["text"]["prompt_source"] == "sample"
        assert concept["text"]["enable_tag_shuffling"] is True
        assert concept["text"]["keep_tags_count"] == 2
        assert concept["type"] == "STANDARD" and concept["include_subdirectories"] is False
    by_name = {c["name"]: c for c in concepts}
    assert by_name["armor (v2)/primary"]["balancing"] == 5.0
    assert by_name["ゼータ"]["path"].endswith("/ゼータ")


def test_ai_toolkit_yaml_parses(dataset):
    yaml = pytest.importorskip("yaml")
    _, items, options = dataset
    report = export_dataset(items, "ai-toolkit", options(resolution=1024))
    data = yaml.safe_load((report.out_dir / "ai_toolkit_datasets.yaml").read_text(encoding="utf-8"))
    entries = data["datasets"]
    assert len(entries) == 4
    for entry in entries:
        assert set(entry) == {"folder_path", "caption_ext", "num_repeats", "resolution", "shuffle_tokens",
                              "keep_tokens", "trigger_word"}
        assert entry["caption_ext"] == "txt" and entry["resolution"] == [1024]
        assert entry["trigger_word"] == "mychar"
    assert sorted(e["num_repeats"] for e in entries) == [1, 2, 3, 5]


def test_ai_toolkit_per_concept_trigger(dataset):
    yaml = pytest.importorskip("yaml")
    _, items, options = dataset
    report = export_dataset(items, "ai-toolkit", options(concept_triggers={"ゼータ": ("zeta", "zetadef")}))
    entries = yaml.safe_load((report.out_dir / "ai_toolkit_datasets.yaml").read_text(encoding="utf-8"))["datasets"]
    zeta = next(e for e in entries if e["folder_path"].endswith("ゼータ"))
    assert zeta["trigger_word"] == "zeta" and zeta["keep_tokens"] == 2


def test_simpletuner_counts_repeats_from_zero(dataset):
    _, items, options = dataset
    report = export_dataset(items, "simpletuner", options())
    backends = json.loads((report.out_dir / "multidatabackend.json").read_text(encoding="utf-8"))
    images = [b for b in backends if b.get("dataset_type") == "image"]
    embeds = [b for b in backends if b.get("dataset_type") == "text_embeds"]
    assert len(embeds) == 1 and embeds[0]["default"] is True
    assert sorted(b["repeats"] for b in images) == [0, 1, 2, 4]
    assert all(b["caption_strategy"] == "textfile" for b in images)
    assert len({b["id"] for b in backends}) == len(backends)
    assert len({b["cache_dir_vae"] for b in images}) == len(images)


@pytest.mark.parametrize("fmt", ["kohya", "kohya-finetune"])
def test_kohya_tomls_parse_with_the_toml_package_kohya_uses(fmt, dataset):
    toml = pytest.importorskip("toml")
    _, items, options = dataset
    report = export_dataset(items, fmt, options(train_preset="locon" if fmt == "kohya" else None))
    for name in report.config_files:
        if name.endswith(".toml"):
            text = (report.out_dir / name).read_text(encoding="utf-8")
            assert toml.loads(text) == tomllib.loads(text)
