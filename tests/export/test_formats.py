"""Per-format specifics: HF imagefolder loads with the real `datasets`, OneTrainer/ai-toolkit/SimpleTuner configs."""

from __future__ import annotations

import json
import tomllib

import pytest

from loraprep.errors import ExportError
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


def _ai_toolkit_entries(report):
    import yaml

    return yaml.safe_load((report.out_dir / "ai_toolkit_datasets.yaml").read_text(encoding="utf-8"))["datasets"]


def test_ai_toolkit_does_not_shuffle_unless_asked_and_says_why(dataset):
    _, items, options = dataset
    report = export_dataset(items, "ai-toolkit", options())
    assert all(e["shuffle_tokens"] is False for e in _ai_toolkit_entries(report))
    assert any("shuffle_tokens written as false" in w for w in report.warnings)
    opted = export_dataset(items, "ai-toolkit", options(ai_toolkit_shuffle=True))
    assert all(e["shuffle_tokens"] is True for e in _ai_toolkit_entries(opted))
    assert any("trigger and fixed tags are shuffled" in w for w in opted.warnings)
    unshuffled = export_dataset(items, "ai-toolkit", options(shuffle_caption=False))
    assert not any("ai-toolkit" in w for w in unshuffled.warnings)


def test_ai_toolkit_shuffle_moves_the_trigger_in_its_own_get_caption(dataset):
    """Why shuffle_tokens stays off: ai-toolkit shuffles again after adding the trigger."""
    import random

    from tests.export.trainers import ai_toolkit, tags_of

    _, items, options = dataset
    report = export_dataset(items, "ai-toolkit", options(ai_toolkit_shuffle=True))
    sample = next(s for s in ai_toolkit.read(report.out_dir).samples if s.caption.count(",") >= 2)
    rng = random.Random(1)
    firsts = [tags_of(ai_toolkit.get_caption(sample.caption, sample.settings, rng))[0] for _ in range(200)]
    assert 0 < firsts.count("mychar") < 200


@pytest.mark.parametrize("fmt", ["onetrainer", "ai-toolkit", "simpletuner", "hf"])
def test_no_keep_tokens_separator_outside_kohya(fmt, dataset):
    _, items, options = dataset
    items = [items[0].__class__(**{**i.__dict__, "caption": "mychar ||| school uniform, pantyhose"}) for i in items]
    report = export_dataset(items, fmt, options(keep_tokens_separator="|||"))
    assert {p.caption for p in report.placed} == {"mychar, school uniform, pantyhose"}
    for placed in report.placed:
        if fmt != "hf":
            text = (report.out_dir / placed.relpath).with_suffix(".txt").read_text(encoding="utf-8")
            assert text == "mychar, school uniform, pantyhose"


@pytest.mark.parametrize("shuffle", [True, False])
def test_kohya_keeps_its_separator_only_while_it_shuffles(shuffle, dataset):
    _, items, options = dataset
    items = [items[0].__class__(**{**i.__dict__, "caption": "mychar ||| school uniform, pantyhose"}) for i in items]
    report = export_dataset(items, "kohya", options(keep_tokens_separator="|||", shuffle_caption=shuffle))
    expected = "mychar ||| school uniform, pantyhose" if shuffle else "mychar, school uniform, pantyhose"
    assert {p.caption for p in report.placed} == {expected}


@pytest.mark.parametrize("fmt", ["ai-toolkit", "simpletuner"])
def test_comma_splitting_trainers_get_commas_when_they_shuffle(fmt, dataset):
    _, items, options = dataset
    items = [items[0].__class__(**{**i.__dict__, "caption": "mychar; school uniform; pantyhose"}) for i in items]
    report = export_dataset(items, fmt, options(caption_separator=";", ai_toolkit_shuffle=True))
    assert {p.caption for p in report.placed} == {"mychar, school uniform, pantyhose"}
    bad = [items[0].__class__(**{**items[0].__dict__, "caption": "mychar; red, white dress"})]
    with pytest.raises(ExportError, match="red, white dress"):
        export_dataset(bad, fmt, options(caption_separator=";", ai_toolkit_shuffle=True))


def test_onetrainer_splits_on_the_recipe_separator(dataset):
    _, items, options = dataset
    items = [items[0].__class__(**{**i.__dict__, "caption": "mychar; school uniform; pantyhose"}) for i in items]
    report = export_dataset(items, "onetrainer", options(caption_separator=";"))
    concepts = json.loads((report.out_dir / "concepts.json").read_text(encoding="ascii"))
    assert {c["text"]["tag_delimiter"] for c in concepts} == {";"}
    assert {p.caption for p in report.placed} == {"mychar; school uniform; pantyhose"}


@pytest.mark.parametrize("fmt", ["kohya-finetune"])
def test_preset_writes_train_toml_for_sd_scripts_formats(fmt, dataset):
    _, items, options = dataset
    report = export_dataset(items, fmt, options(train_preset="loha", epochs=10))
    config = tomllib.loads((report.out_dir / "train.toml").read_text(encoding="utf-8"))
    assert config["dataset"]["dataset_config"] == str(report.out_dir / "dataset.toml")
    assert "--config_file" in report.train_command


@pytest.mark.parametrize("fmt", ["hf", "onetrainer", "ai-toolkit", "simpletuner"])
def test_preset_is_refused_where_loraprep_has_no_training_settings(fmt, dataset, tmp_path):
    _, items, options = dataset
    with pytest.raises(ExportError, match="--preset lora"):
        export_dataset(items, fmt, options(train_preset="lora"))
    assert not (tmp_path / "out").exists()
