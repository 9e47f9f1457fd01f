"""dataset.toml and train.toml against what sd-scripts accepts: known keys, at the right level, with the right types.

The key sets restate sd-scripts' library/config_util.py schema for train_network.py (DreamBooth-style and
fine-tuning subsets, dropout options on): a key outside them makes sd-scripts reject the whole file.
"""

from __future__ import annotations

import tomllib

import pytest

from loraprep.export import export_dataset
from loraprep.export.kohya_train import NETWORKS

SUBSET_ANY_LEVEL = {
    "color_aug": bool, "face_crop_aug_range": list, "flip_aug": bool, "num_repeats": int, "random_crop": bool,
    "shuffle_caption": bool, "keep_tokens": int, "keep_tokens_separator": str, "secondary_separator": str,
    "caption_separator": str, "enable_wildcard": bool, "token_warmup_min": int, "token_warmup_step": (int, float),
    "caption_prefix": str, "caption_suffix": str, "custom_attributes": dict, "resize_interpolation": str,
    "caption_dropout_every_n_epochs": int, "caption_dropout_rate": (int, float),
    "caption_tag_dropout_rate": (int, float),
}
DREAMBOOTH_ANY_LEVEL = {"caption_extension": str, "class_tokens": str, "cache_info": bool}
DATASET_ANY_LEVEL = {
    "batch_size": int, "bucket_no_upscale": bool, "bucket_reso_steps": int, "enable_bucket": bool,
    "max_bucket_reso": int, "min_bucket_reso": int, "validation_seed": int, "validation_split": float,
    "resolution": (int, list), "network_multiplier": float, "resize_interpolation": str,
}
DREAMBOOTH_SUBSET_ONLY = {"image_dir": str, "is_reg": bool, "alpha_mask": bool}
FINETUNE_SUBSET_ONLY = {"metadata_file": str, "image_dir": str, "alpha_mask": bool}

GENERAL = {**DATASET_ANY_LEVEL, **SUBSET_ANY_LEVEL, **DREAMBOOTH_ANY_LEVEL}
DB_DATASET = {**DATASET_ANY_LEVEL, **SUBSET_ANY_LEVEL, **DREAMBOOTH_ANY_LEVEL}
FT_DATASET = {**DATASET_ANY_LEVEL, **SUBSET_ANY_LEVEL}
DB_SUBSET = {**SUBSET_ANY_LEVEL, **DREAMBOOTH_SUBSET_ONLY, **DREAMBOOTH_ANY_LEVEL}
FT_SUBSET = {**SUBSET_ANY_LEVEL, **FINETUNE_SUBSET_ONLY}

# train_network.py / train_util.py argparse options the preset uses (sd-scripts flattens the tables).
TRAIN_OPTIONS = {
    "pretrained_model_name_or_path", "dataset_config", "network_module", "network_dim", "network_alpha",
    "network_args", "optimizer_type", "optimizer_args", "learning_rate", "unet_lr", "text_encoder_lr",
    "lr_scheduler", "lr_scheduler_num_cycles", "min_snr_gamma", "max_train_epochs", "train_batch_size",
    "mixed_precision", "cache_latents", "sdpa", "seed", "output_dir", "output_name", "save_model_as",
    "save_precision", "save_every_n_epochs",
}


def check_table(table: dict, allowed: dict, where: str) -> None:
    for key, value in table.items():
        assert key in allowed, f"{where}: sd-scripts does not accept {key!r} here"
        expected = allowed[key]
        # sd-scripts' validator is strict: a bool is not an int, an int is not a float.
        assert not (isinstance(value, bool) and expected is int), f"{where}.{key}: bool where int expected"
        assert isinstance(value, expected), f"{where}.{key}: {type(value).__name__}"


def validate_dataset_config(config: dict) -> None:
    assert set(config) <= {"general", "datasets"}
    check_table(config.get("general", {}), GENERAL, "general")
    for i, dataset in enumerate(config["datasets"]):
        subsets = dataset["subsets"]
        finetune = all("metadata_file" in s for s in subsets)
        assert finetune or all("metadata_file" not in s for s in subsets), "mixed subset kinds"
        check_table({k: v for k, v in dataset.items() if k != "subsets"}, FT_DATASET if finetune else DB_DATASET,
                    f"datasets[{i}]")
        for j, subset in enumerate(subsets):
            check_table(subset, FT_SUBSET if finetune else DB_SUBSET, f"datasets[{i}].subsets[{j}]")
            assert ("metadata_file" if finetune else "image_dir") in subset


def test_validator_rejects_a_misplaced_key():
    with pytest.raises(AssertionError):
        validate_dataset_config({"general": {"image_dir": "x"}, "datasets": [{"subsets": [{"image_dir": "x"}]}]})
    with pytest.raises(AssertionError):
        validate_dataset_config({"datasets": [{"subsets": [{"image_dir": "x", "num_repeats": True}]}]})


@pytest.mark.parametrize("fmt", ["kohya", "kohya-finetune"])
@pytest.mark.parametrize("separator", [None, "|||"])
def test_dataset_toml_passes_the_schema(fmt, separator, dataset):
    _, items, options = dataset
    report = export_dataset(items, fmt, options(keep_tokens_separator=separator, resolution=1024))
    config = tomllib.loads((report.out_dir / "dataset.toml").read_text(encoding="utf-8"))
    validate_dataset_config(config)
    dataset0 = config["datasets"][0]
    assert dataset0["resolution"] == 1024 and dataset0["max_bucket_reso"] >= 1024
    assert sorted(s["num_repeats"] for s in dataset0["subsets"]) == [1, 2, 3, 5]
    if separator:
        assert config["general"]["keep_tokens_separator"] == "|||"


def test_kohya_caption_extension_is_explicit(dataset):
    _, items, options = dataset
    report = export_dataset(items, "kohya", options())
    config = tomllib.loads((report.out_dir / "dataset.toml").read_text(encoding="utf-8"))
    assert config["general"]["caption_extension"] == ".txt"
    for subset in config["datasets"][0]["subsets"]:
        folder = report.out_dir / "img" / subset["image_dir"].rsplit("/", 1)[-1]
        assert subset["image_dir"] == str(folder)
        assert folder.name.split("_", 1)[0] == str(subset["num_repeats"])  # folder mode agrees with the TOML
        assert subset["keep_tokens"] == 1


def test_finetune_meta_has_absolute_paths_with_extension(dataset):
    import json

    _, items, options = dataset
    report = export_dataset(items, "kohya-finetune", options())
    meta = json.loads((report.out_dir / "meta.json").read_text(encoding="utf-8"))
    assert len(meta) == len(items)
    for key, value in meta.items():
        assert key.startswith("/") and key.rsplit(".", 1)[-1] in ("jpg", "png")
        assert (report.out_dir / key[len(str(report.out_dir)) + 1:]).is_file()
        assert value["caption"]


@pytest.mark.parametrize("preset", sorted(NETWORKS))
def test_train_toml_uses_only_real_options(preset, dataset):
    _, items, options = dataset
    report = export_dataset(items, "kohya", options(train_preset=preset, epochs=20))
    config = tomllib.loads((report.out_dir / "train.toml").read_text(encoding="utf-8"))
    flat = {k: v for table in config.values() for k, v in table.items()}
    assert set(flat) <= TRAIN_OPTIONS
    assert flat["max_train_epochs"] == 20 and flat["save_every_n_epochs"] == 2
    assert flat["dataset_config"] == str(report.out_dir / "dataset.toml")
    assert not flat["output_dir"].startswith(str(report.out_dir) + "/")  # models never inside the export
    expected = {"lora": (32, 16.0), "locon": (16, 8.0), "loha": (8, 4.0)}[preset]
    assert (flat["network_dim"], flat["network_alpha"]) == expected
    assert flat["unet_lr"] == 5e-4 and flat["text_encoder_lr"] == 1e-4 and flat["min_snr_gamma"] == 5.0
    if preset != "lora":
        assert f"algo={preset}" in flat["network_args"]


def test_no_train_toml_without_a_preset(dataset):
    _, items, options = dataset
    report = export_dataset(items, "kohya", options())
    assert not (report.out_dir / "train.toml").exists()
    assert "--dataset_config" in report.train_command


@pytest.mark.parametrize("fmt", ["kohya", "kohya-finetune"])
@pytest.mark.parametrize("resolution", [64, 192, 320, 1100])
def test_bucket_values_pass_sd_scripts_own_checks(fmt, resolution, dataset):
    from tests.export.trainers import kohya

    _, items, options = dataset
    report = export_dataset(items, fmt, options(resolution=resolution))
    config = tomllib.loads((report.out_dir / "dataset.toml").read_text(encoding="utf-8"))
    kohya.check_buckets(config["datasets"][0])
