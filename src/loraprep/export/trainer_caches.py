"""Which files trainers write next to exported images (latent and text caches, size databases): pure predicates.

A re-export replaces these with the folder: they describe images that the new export may change. Each name is
checked against the trainer's source:

- kohya-ss/sd-scripts: ``<stem>.npz`` (library/train_util.py, BaseDataset.cache_latents: splitext(path)[0] +
  ".npz"), ``<stem>_<W>x<H>_<arch>.npz`` (library/strategy_sd.py and strategy_flux.py, get_latents_npz_path) and
  ``<stem>_te_outputs.npz`` / ``<stem>_<arch>_te.npz`` (train_util.TEXT_ENCODER_OUTPUTS_CACHE_SUFFIX,
  strategy_*.get_outputs_npz_path): every one is ``<stem>.npz`` or ``<stem>_<anything>.npz`` beside the image.
- ostris/ai-toolkit: ``.aitk_size.json`` in the dataset folder (toolkit/data_loader.py, the size database) and the
  ``_latent_cache``, ``_t_e_cache`` and ``_clip_vision_cache`` folders beside the images
  (toolkit/dataloader_mixins.py: get_latent_path, _build_text_embedding_path, get_clip_vision_embeddings_path).
- bghira/SimpleTuner: ``aspect_ratio_bucket_indices_<id>.json`` and ``aspect_ratio_bucket_metadata_<id>.json`` in
  each instance_data_dir (simpletuner/helpers/data_backend/builders/base.py builds the names,
  helpers/metadata/backends/base.py adds ``_<cache_file_suffix>.json``); its VAE and text-embed caches go where the
  exported multidatabackend.json says, which the export's manifest records as cache folders.

Folder metadata that file browsers drop everywhere (``.DS_Store``, ``Thumbs.db``) is not a user's file either.
"""

from __future__ import annotations

from typing import Collection

CACHE_FOLDERS = frozenset({"_latent_cache", "_t_e_cache", "_clip_vision_cache"})
SIZE_DATABASE = ".aitk_size.json"
BUCKET_FILE_PREFIXES = ("aspect_ratio_bucket_indices", "aspect_ratio_bucket_metadata")
BROWSER_METADATA = frozenset({".DS_Store", "Thumbs.db"})


def is_trainer_cache(name: str, is_dir: bool, image_stems: Collection[str]) -> bool:
    """True when ``name`` (one entry of a folder holding exported images with ``image_stems``) is a trainer's cache.

    A cache folder is claimed with everything inside it. Only folders that hold exported images are asked:
    trainers write their caches beside the images they read.
    """
    if is_dir:
        return bool(image_stems) and name in CACHE_FOLDERS
    if name in BROWSER_METADATA:
        return True
    if not image_stems:
        return False
    if name == SIZE_DATABASE:
        return True
    if name.endswith(".json") and name.startswith(BUCKET_FILE_PREFIXES):
        return True
    if name.endswith(".npz"):
        return _npz_of_an_image(name[: -len(".npz")], image_stems)
    return False


def _npz_of_an_image(base: str, image_stems: Collection[str]) -> bool:
    if base in image_stems:
        return True
    # <stem>_<suffix>: try every "_" split point, since stems may contain underscores themselves.
    cut = base.find("_")
    while cut > 0:
        if base[:cut] in image_stems:
            return True
        cut = base.find("_", cut + 1)
    return False
