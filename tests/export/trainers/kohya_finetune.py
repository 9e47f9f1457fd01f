"""kohya-ss sd-scripts, fine-tuning subsets (dataset.toml with metadata_file), as train_network.py reads them.

Restated from sd-scripts' library/train_util.py FineTuningDataset.__init__: each subset's metadata JSON maps
image keys (absolute paths, or relative to image_dir) to {"caption": ...}; every key is one image, repeated
num_repeats times; captions then go through the same BaseDataset.process_caption as DreamBooth subsets.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from tests.export.trainers import Sample, View, require
from tests.export.trainers.kohya import SUBSET_DEFAULTS, bucketed_steps, load, process_caption, setting


def read(out: Path) -> View:
    config = load(out)
    general = config.get("general", {})
    dataset = config["datasets"][0]
    samples = []
    for subset in dataset["subsets"]:
        tables = (subset, dataset, general)
        repeats = setting("num_repeats", *tables)
        require(isinstance(repeats, int) and repeats >= 1, f"num_repeats {repeats} is skipped")
        metadata_file = subset["metadata_file"]
        require(os.path.exists(metadata_file), f"no metadata: {metadata_file}")  # a ValueError there
        with open(metadata_file, encoding="utf-8") as handle:
            metadata = json.load(handle)
        require(len(metadata) > 0, f"{metadata_file}: no image entries, the subset is skipped")
        settings = {k: setting(k, *tables) for k in SUBSET_DEFAULTS}
        for key, entry in metadata.items():
            # Relative keys need image_dir (an assert); loraprep writes absolute paths with the extension.
            require(os.path.isabs(key) or subset.get("image_dir") is not None, f"{key}: relative without image_dir")
            path = key if os.path.isabs(key) else os.path.join(subset["image_dir"], key)
            require(os.path.isfile(path), f"{path}: the image is missing")
            samples.append(Sample(Path(path), entry.get("caption") or "", repeats, settings))
    batch = dataset.get("batch_size", 1)
    return View(samples, lambda s, rng: process_caption(s.caption, s.settings, rng),
                sum(int(s.repeats) for s in samples), lambda b=batch: bucketed_steps(samples, dataset, b))
