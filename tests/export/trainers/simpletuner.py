"""SimpleTuner reading multidatabackend.json with local image backends and textfile captions.

Restated from SimpleTuner's simpletuner/helpers/data_backend/factory.py (backend config checks, the
caption_shuffle checks), data_backend/local.py (LocalDataBackend.list_files), helpers/training/__init__.py
(image_file_extensions), helpers/prompts.py (PromptHandler.prepare_instance_prompt_from_textfile,
CaptionShuffler.expand_with_shuffles), helpers/multiaspect/sampler.py (random.choice among a list of
captions) and helpers/metadata/backends/base.py (an image counts repeats + 1 times per epoch).
"""

from __future__ import annotations

import hashlib
import json
import os
import random
from pathlib import Path

from PIL import Image

from tests.export.trainers import Sample, View, require

FORBIDDEN_DIRECTORIES = {".Spotlight-V100", ".Trashes", ".fseventsd", ".TemporaryItems", ".zfs", ".ipynb_checkpoints"}
VIDEO_AND_AUDIO = {"mp4", "avi", "mov", "mkv", "webm", "flv", "wmv", "m4v", "mpeg", "mpg", "3gp", "ogv", "wav",
                   "wave", "flac", "mp3", "mp4a", "m4a", "aac", "ogg", "oga", "opus", "wma", "aiff", "aif", "aifc",
                   "alac"}
SPLIT = {"comma": (",", ", "), "space": (" ", " "), "period": (".", ". ")}


def file_extensions() -> tuple[str, ...]:
    """training/__init__.py: every extension Pillow can open, plus video and audio ones, lower-cased."""
    images = {ext.lower().lstrip(".") for ext, fmt in Image.registered_extensions().items() if fmt in Image.OPEN}
    return tuple(f".{ext}" for ext in images | VIDEO_AND_AUDIO)


def list_files(folder: str) -> list[str]:
    """LocalDataBackend.list_files: os.walk (following links) past a few system folders; hidden files count."""
    extensions, found = file_extensions(), []
    for root, dirs, files in os.walk(folder, followlinks=True):
        dirs[:] = [d for d in dirs if d not in FORBIDDEN_DIRECTORIES]
        found.extend(os.path.join(os.path.abspath(root), f) for f in files if f.lower().endswith(extensions))
    return found


def textfile_caption(image: str) -> str | list[str]:
    """prepare_instance_prompt_from_textfile: <stem>.txt must exist; a caption with line breaks is a list."""
    path = os.path.splitext(image)[0] + ".txt"
    require(os.path.exists(path), f"Caption file {path} not found.")
    with open(path, encoding="utf-8") as handle:
        caption = handle.read()
    if "\n" in caption:
        return [line for line in caption.split("\n") if line]
    return caption


def expand_with_shuffles(caption: str, config: dict) -> list[str]:
    """CaptionShuffler.expand_with_shuffles: the original plus ``count`` seeded shuffles of the tags after
    the first position_start ones."""
    if not config or not config.get("enable") or not caption.strip():
        return [caption]
    split_char, delimiter = SPLIT[config.get("split_on", "comma")]
    parts = [p.strip() for p in caption.split(split_char) if p.strip()]
    start = config.get("position_start", 0)
    fixed, rest = parts[:start], parts[start:]
    if len(rest) <= 1:
        return [caption]
    results = [caption] if config.get("include_original", True) else []
    digest = int(hashlib.md5(caption.encode("utf-8")).hexdigest(), 16) & 0xFFFFFFFF
    for i in range(config.get("count", 1)):
        shuffled = rest.copy()
        random.Random((config.get("seed") or 0) + digest + i).shuffle(shuffled)
        variant = delimiter.join(fixed + shuffled)
        if variant not in results:
            results.append(variant)
    return results or [caption]


def check_backend(backend: dict) -> None:
    """factory.py: the checks an image backend's values must pass."""
    require(backend.get("type") == "local", "loraprep writes local backends")
    require(backend.get("caption_strategy") == "textfile", "captions must come from the .txt files")
    repeats = backend.get("repeats", 0)
    require(isinstance(repeats, int) and not isinstance(repeats, bool) and repeats >= 0, f"repeats {repeats!r}")
    require(isinstance(backend.get("resolution"), (int, float)) and backend["resolution"] > 0, "resolution")
    require(backend.get("resolution_type") in ("pixel", "area", "pixel_area"), "resolution_type")
    shuffle = backend.get("caption_shuffle")
    if shuffle:
        require(isinstance(shuffle, dict), "caption_shuffle must be a dictionary")
        require(shuffle.get("split_on", "comma") in SPLIT, "caption_shuffle.split_on")
        count, start = shuffle.get("count", 1), shuffle.get("position_start", 0)
        require(isinstance(count, int) and count >= 1, "caption_shuffle.count must be a positive integer")
        require(isinstance(start, int) and start >= 0, "caption_shuffle.position_start must be non-negative")


def read(out: Path) -> View:
    backends = json.loads((out / "multidatabackend.json").read_text(encoding="utf-8"))
    ids = [b["id"] for b in backends]
    require(len(ids) == len(set(ids)), "backend ids must be unique")
    embeds = [b for b in backends if b.get("dataset_type") == "text_embeds"]
    require(sum(1 for b in embeds if b.get("default")) == 1, "exactly one default text_embeds backend")
    samples, per_epoch = [], 0
    for backend in (b for b in backends if b.get("dataset_type", "image") == "image"):
        check_backend(backend)
        require(backend.get("text_embeds") in {b["id"] for b in embeds}, "unknown text_embeds backend")
        images = list_files(backend["instance_data_dir"])
        require(bool(images), f"{backend['id']}: no images")
        per_epoch += len(images) * (backend.get("repeats", 0) + 1)
        for image in images:
            samples.append(Sample(Path(image), textfile_caption(image), backend.get("repeats", 0) + 1,
                                  backend.get("caption_shuffle") or {}))

    def draw(sample: Sample, rng: random.Random) -> str:
        captions = sample.caption if isinstance(sample.caption, list) else [sample.caption]
        variants = [v for c in captions for v in expand_with_shuffles(c, sample.settings)]
        return rng.choice(variants)  # sampler.py: random.choice when an image has several captions

    return View(samples, draw, per_epoch)
