"""kohya-ss sd-scripts, fine-tuning subsets (dataset.toml with metadata_file), as train_network.py reads them.

Restated from sd-scripts' library/train_util.py FineTuningDataset.__init__: each subset's metadata JSON maps
image keys (absolute paths, or relative to image_dir) to {"caption": ..., "image_size": [w, h]}; every key is one image, repeated
num_repeats times; captions then go through the same BaseDataset.process_caption as DreamBooth subsets.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from tests.export.trainers import Sample, View, require
from tests.export.trainers.kohya import make_view, subsets


def read(out: Path) -> View:
    dataset, resolved = subsets(out)
    samples = []
    for subset, settings in resolved:
        metadata_file = subset["metadata_file"]
        require(os.path.exists(metadata_file), f"no metadata: {metadata_file}")  # a ValueError there
        with open(metadata_file, encoding="utf-8") as handle:
            metadata = json.load(handle)
        require(len(metadata) > 0, f"{metadata_file}: no image entries, the subset is skipped")
        for key, entry in metadata.items():
            # Relative keys need image_dir (an assert); loraprep writes absolute paths with the extension.
            require(os.path.isabs(key) or subset.get("image_dir") is not None, f"{key}: relative without image_dir")
            path = key if os.path.isabs(key) else os.path.join(subset["image_dir"], key)
            require(os.path.isfile(path), f"{path}: the image is missing")
            if "image_size" in entry:  # taken as (width, height) for bucketing, the file left unopened
                from PIL import Image

                with Image.open(path) as image:
                    require(tuple(entry["image_size"]) == image.size, f"{path}: image_size {entry['image_size']}"
                                                                      f" but the file is {image.size}")
            samples.append(Sample(Path(path), entry.get("caption") or "", settings["num_repeats"], settings))
    return make_view(samples, dataset)
