"""ostris ai-toolkit reading the datasets block, as its data loader does.

Restated from ai-toolkit's toolkit/data_loader.py (AiToolkitDataset.__init__: walking folder_path,
_controls, num_repeats), toolkit/config_modules.py (DatasetConfig defaults), toolkit/dataloader_mixins.py
(CaptionMixin / FileItemDTO.load_caption and get_caption) and toolkit/prompt_utils.py
(inject_trigger_into_prompt).
"""

from __future__ import annotations

import os
import random
from pathlib import Path

import yaml

from tests.export.trainers import Sample, View, require

IMAGE_EXTENSIONS = (".jpg", ".jpeg", ".png", ".webp")  # data_loader.py image_extensions


def walk_images(folder: str) -> list[str]:
    """AiToolkitDataset.__init__: os.walk without hidden folders, files not hidden whose lower-cased name ends
    in an image extension, then every file whose folder is named _controls dropped."""
    found = []
    for root, dirs, files in os.walk(folder):
        dirs[:] = [d for d in dirs if not d.startswith(".")]
        found.extend(os.path.join(root, f) for f in files if f.lower().endswith(IMAGE_EXTENSIONS)
                     and not f.startswith("."))
    return [f for f in found if os.path.basename(os.path.dirname(f)) != "_controls"]


def load_caption(image: str, caption_ext: str) -> str:
    """FileItemDTO.load_caption: the whole file (clean_caption changes nothing), '' without one."""
    ext = caption_ext if caption_ext.startswith(".") else "." + caption_ext  # DatasetConfig adds the dot
    path = os.path.splitext(image)[0] + ext
    if not os.path.exists(path):
        return ""
    with open(path, encoding="utf-8") as handle:
        return handle.read()


def inject_trigger(prompt: str, trigger: str | None) -> str:
    """prompt_utils.inject_trigger_into_prompt: [name]/[trigger] replaced; the trigger put in front when absent."""
    trigger = trigger or ""
    for token in ("[name]", "[trigger]"):
        prompt = prompt.replace(token, trigger)
    if trigger.strip() and prompt.count(trigger) == 0:
        prompt = trigger + " " + prompt
    return prompt


def get_caption(raw: str, s: dict, rng: random.Random) -> str:
    """FileItemDTO.get_caption without caption or token dropout: split on ',', shuffle if shuffle_tokens,
    join with ', ', inject the trigger, and with shuffle_tokens split on ',' and shuffle once more."""
    tokens = raw.split(",")
    if s["shuffle_tokens"]:
        rng.shuffle(tokens)
    caption = inject_trigger(", ".join(tokens), s.get("trigger_word"))
    if s["shuffle_tokens"]:
        tokens = caption.split(",")
        rng.shuffle(tokens)
        caption = ", ".join(tokens)
    return caption


def read(out: Path) -> View:
    text = (out / "ai_toolkit_datasets.yaml").read_text(encoding="utf-8")
    datasets = yaml.safe_load(text)["datasets"]
    samples, per_epoch = [], 0
    for entry in datasets:
        repeats = entry.get("num_repeats", 1)
        require(isinstance(repeats, int) and not isinstance(repeats, bool) and repeats >= 1, f"num_repeats {repeats}")
        resolution = entry.get("resolution", 512)
        sizes = resolution if isinstance(resolution, list) else [resolution]
        require(all(isinstance(r, int) and r > 0 for r in sizes), f"resolution {resolution!r}")
        require(isinstance(entry.get("keep_tokens", 0), int), "keep_tokens must be an int")
        images = walk_images(entry["folder_path"])
        require(bool(images), f"no images found in {entry['folder_path']}")  # the loader's assert
        settings = {"shuffle_tokens": entry.get("shuffle_tokens", False), "trigger_word": entry.get("trigger_word")}
        # num_repeats > 1 repeats the file list; each copy is one sample per epoch.
        per_epoch += len(images) * max(1, repeats)
        for image in images:
            samples.append(Sample(Path(image), load_caption(image, entry.get("caption_ext", ".txt")), repeats, settings))
    return View(samples, lambda s, rng: get_caption(s.caption, s.settings, rng), per_epoch)
