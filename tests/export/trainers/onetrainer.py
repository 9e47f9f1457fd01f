"""OneTrainer (with mgds) reading concepts.json, as its text-to-image data loaders do.

Restated from OneTrainer's modules/dataLoader/mixin/DataLoaderText2ImageMixin.py (_enumerate_input_modules,
_load_input_modules, the ShuffleTags step), modules/util/path_util.py (SUPPORTED_IMAGE_EXTENSIONS),
modules/util/config/ConceptConfig.py (field types), and mgds' pipelineModules CollectPaths, ModifyPath,
LoadMultipleTexts, SelectRandomText, ShuffleTags and VariationSorting (REPEATS balancing).
"""

from __future__ import annotations

import json
import math
import os
import random
from pathlib import Path

from tests.export.trainers import Sample, View, require

SUPPORTED_IMAGE_EXTENSIONS = {".bmp", ".jpg", ".jpeg", ".png", ".tif", ".tiff", ".webp", ".avif"}
EXCLUDED_POSTFIXES = ("-masklabel", "-condlabel")
# ConceptConfig / ConceptTextConfig default_values: the type of each field loraprep writes.
CONCEPT_TYPES = {"name": str, "path": str, "seed": int, "enabled": bool, "type": str, "include_subdirectories": bool,
                 "image_variations": int, "text_variations": int, "balancing": float, "balancing_strategy": str,
                 "loss_weight": float, "image": dict, "text": dict, "__version": int}
TEXT_TYPES = {"prompt_source": str, "prompt_path": str, "enable_tag_shuffling": bool, "tag_delimiter": str,
              "keep_tags_count": int, "__version": int}


def collect_paths(path: str, include_subdirectories: bool) -> list[str]:
    """CollectPaths.start: files of the folder (subfolders not starting with '.', if asked), sorted, whose
    lower-cased extension is supported and whose stem does not end in an excluded postfix."""
    def list_files(folder: str) -> list[str]:
        entries = [os.path.join(folder, name) for name in os.listdir(folder)]
        files = [e for e in entries if os.path.isfile(e)]
        if include_subdirectories:
            for sub in (e for e in entries if os.path.isdir(e) and not os.path.basename(e).startswith(".")):
                files.extend(list_files(sub))
        return files

    names = sorted(list_files(path))
    names = [n for n in names if os.path.splitext(n)[1].lower() in SUPPORTED_IMAGE_EXTENSIONS]
    return [n for n in names if not os.path.splitext(n)[0].endswith(EXCLUDED_POSTFIXES)]


def load_texts(path: str) -> list[str]:
    """ModifyPath(postfix='', extension='.txt') then LoadMultipleTexts: every non-empty stripped line, or ['']."""
    texts = []
    if os.path.exists(path):
        with open(path, encoding="utf-8") as handle:
            texts = [line.strip() for line in handle]
    return [t for t in texts if t != ""] or [""]


def shuffle_tags(text: str, s: dict, rng: random.Random) -> str:
    """ShuffleTags.get_item: split on the delimiter, strip, drop empties, keep the first keep_tags_count,
    shuffle the rest, join with delimiter + ' '."""
    if not s["enable_tag_shuffling"]:
        return text
    delimiter = s["tag_delimiter"]
    tags = [t.strip() for t in text.split(delimiter) if len(t.strip()) > 0]
    keep, rest = tags[:s["keep_tags_count"]], tags[s["keep_tags_count"]:]
    rng.shuffle(rest)
    return (delimiter + " ").join(keep + rest)


def check_types(table: dict, types: dict, where: str) -> None:
    for key, value in table.items():
        if key in types:
            expected = types[key]
            ok = isinstance(value, expected) and not (expected in (int, float) and isinstance(value, bool))
            require(ok, f"{where}.{key}: {type(value).__name__} where OneTrainer has {expected.__name__}")


def read(out: Path) -> View:
    raw = (out / "concepts.json").read_bytes()
    concepts = json.loads(raw.decode("ascii"))  # OneTrainer opens it with the platform's default encoding
    samples, per_epoch = [], 0
    for i, concept in enumerate(concepts):
        check_types(concept, CONCEPT_TYPES, f"concepts[{i}]")
        check_types(concept["text"], TEXT_TYPES, f"concepts[{i}].text")
        require(concept["text"]["keep_tags_count"] >= 0, "keep_tags_count must not be negative")
        require(concept["balancing_strategy"] == "REPEATS", "loraprep writes REPEATS balancing")
        # SelectInput: 'sample' reads the .txt beside each image; 'concept' and 'filename' would not.
        require(concept["text"]["prompt_source"] == "sample", "captions must come from the .txt files")
        if not concept["enabled"]:
            continue
        images = collect_paths(concept["path"], concept["include_subdirectories"])
        require(bool(images), f"{concept['path']}: no images")
        # VariationSorting: a REPEATS group yields floor(images x balancing) samples per epoch.
        per_epoch += int(math.floor(len(images) * concept["balancing"]))
        for image in images:
            texts = load_texts(os.path.splitext(image)[0] + ".txt")
            samples.append(Sample(Path(image), texts, concept["balancing"], concept["text"]))

    def draw(sample: Sample, rng: random.Random) -> str:
        text = rng.choice(sample.caption)  # SelectRandomText
        return shuffle_tags(text, sample.settings, rng)

    return View(samples, draw, per_epoch)
