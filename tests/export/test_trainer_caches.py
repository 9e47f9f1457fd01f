"""Trainer cache names beside exported images are recognised; anything else is not."""

from __future__ import annotations

import pytest

from loraprep.export.trainer_caches import is_trainer_cache

STEMS = {"001", "red_04", "フレーム", "a b"}


@pytest.mark.parametrize("name", [
    "001.npz",                          # kohya, old latents cache
    "red_04_0768x1024_sdxl.npz",        # kohya, latents with size and architecture
    "red_04_te_outputs.npz",            # kohya, SDXL text-encoder outputs
    "フレーム_0512x0512_flux.npz", "a b_flux_te.npz",
    ".aitk_size.json",                  # ai-toolkit size database
    "aspect_ratio_bucket_indices_outfit.json", "aspect_ratio_bucket_metadata_outfit.json",  # SimpleTuner
    ".DS_Store", "Thumbs.db",
])
def test_trainer_cache_files_are_recognised(name):
    assert is_trainer_cache(name, False, STEMS)


@pytest.mark.parametrize("name", ["_latent_cache", "_t_e_cache", "_clip_vision_cache"])
def test_ai_toolkit_cache_folders_are_recognised(name):
    assert is_trainer_cache(name, True, STEMS)
    assert not is_trainer_cache(name, True, set())  # only beside exported images


@pytest.mark.parametrize("name", [
    "model.safetensors", "notes.md", "002.npz", "red.npz", "red_0_te_outputs.npz", "001.png", "sample.jpg",
    "_001.npz", "001npz", "001.npz.bak", "aspect_ratio_bucket_indices.txt",
])
def test_other_files_are_not(name):
    assert not is_trainer_cache(name, False, STEMS)


def test_caches_count_only_beside_images():
    assert not is_trainer_cache("001.npz", False, set())
    assert not is_trainer_cache(".aitk_size.json", False, ())
    assert not is_trainer_cache("samples", True, STEMS)
