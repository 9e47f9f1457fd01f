"""kohya-ss sd-scripts, DreamBooth-style subsets (dataset.toml with image_dir), as train_network.py reads them.

Restated from sd-scripts' library/config_util.py and library/train_util.py (DreamBoothDataset,
BaseDataset.process_caption, BucketManager) and library/model_util.py (make_bucket_resolutions).
"""

from __future__ import annotations

import glob
import math
import os
import random
import tomllib
from pathlib import Path

from PIL import Image

from tests.export.trainers import Rejected, Sample, View, require

# train_util.py IMAGE_EXTENSIONS (avif/jxl only when their plugins import): matched case-sensitively by glob.
IMAGE_EXTENSIONS = [".png", ".jpg", ".jpeg", ".webp", ".bmp", ".PNG", ".JPG", ".JPEG", ".WEBP", ".BMP"]
TRAIN_NETWORK_RESO_STEPS = 64  # train_network.py: verify_bucket_reso_steps(64)
# config_util.py BaseSubsetParams / DreamBoothSubsetParams defaults and argparse defaults it falls back to.
SUBSET_DEFAULTS = {"num_repeats": 1, "shuffle_caption": False, "caption_separator": ",", "keep_tokens": 0,
                   "keep_tokens_separator": None, "secondary_separator": None, "caption_extension": ".caption"}


def setting(key: str, *tables: dict):
    """config_util.py BlueprintGenerator.search_value: the first table (subset, dataset, general) that sets it."""
    for table in tables:
        if table.get(key) is not None:
            return table[key]
    return SUBSET_DEFAULTS.get(key)


def glob_images(directory: str) -> list[str]:
    """train_util.py glob_images: '*' + each extension in one folder (glob skips dot files), sorted, unique."""
    found = {p for ext in IMAGE_EXTENSIONS for p in glob.glob(os.path.join(glob.escape(directory), "*" + ext))}
    return sorted(found)


def read_caption(image: str, extension: str) -> str | None:
    """DreamBoothDataset.read_caption: <stem><ext>, UTF-8, its first line stripped; an empty file is an assert."""
    path = os.path.splitext(image)[0] + extension
    if not os.path.isfile(path):
        return None
    with open(path, encoding="utf-8") as handle:
        lines = handle.readlines()
    require(len(lines) > 0, f"caption file is empty: {path}")
    return lines[0].strip()


def process_caption(caption: str, s: dict, rng: random.Random) -> str:
    """BaseDataset.process_caption without dropout, wildcards or warmup: keep_tokens_separator or keep_tokens
    fixes the head, the flex part is shuffled, the parts are joined with ', '; without shuffle_caption
    (and no warmup or tag dropout) the caption passes as it is, keep_tokens_separator and all."""
    caption = caption.split("\n")[0]
    if s["shuffle_caption"]:
        sep, token = s["caption_separator"], s["keep_tokens_separator"]
        fixed, suffix = [], []
        if token and token in caption:
            fixed_part, flex_part = caption.split(token, 1)
            if token in flex_part:
                flex_part, suffix_part = flex_part.split(token, 1)
                suffix = [t.strip() for t in suffix_part.split(sep) if t.strip()]
            fixed = [t.strip() for t in fixed_part.split(sep) if t.strip()]
            flex = [t.strip() for t in flex_part.split(sep) if t.strip()]
        else:
            tokens = [t.strip() for t in caption.strip().split(sep)]
            flex = tokens[:]
            if s["keep_tokens"] > 0:
                fixed, flex = tokens[:s["keep_tokens"]], tokens[s["keep_tokens"]:]
        rng.shuffle(flex)
        caption = ", ".join(fixed + flex + suffix)
    if s["secondary_separator"]:
        caption = caption.replace(s["secondary_separator"], s["caption_separator"])
    return caption


def check_buckets(dataset: dict) -> tuple[int, int, int, int]:
    """BaseDataset.adjust_min_max_bucket_reso_by_steps (rounds, then asserts) and verify_bucket_reso_steps."""
    resolution = dataset["resolution"]
    require(isinstance(resolution, int) and not isinstance(resolution, bool), "resolution must be an int")
    low, high, steps = dataset["min_bucket_reso"], dataset["max_bucket_reso"], dataset["bucket_reso_steps"]
    require(steps % TRAIN_NETWORK_RESO_STEPS == 0, f"bucket_reso_steps is {steps}. it must be divisible by 64")
    require(low % steps == 0 and high % steps == 0, "bucket limits would be rewritten (not multiples of the steps)")
    require(resolution >= low, "min_bucket_reso must be equal or less than resolution")
    require(resolution <= high, "max_bucket_reso must be equal or greater than resolution")
    return resolution, low, high, steps


def bucket_resolutions(resolution: int, low: int, high: int, steps: int) -> list[tuple[int, int]]:
    """model_util.py make_bucket_resolutions for a square max_reso."""
    area = resolution * resolution
    resos = {(int(math.sqrt(area) // steps) * steps,) * 2}
    width = low
    while width <= high:
        height = min(high, int((area // width) // steps) * steps)
        if height >= low:
            resos.update({(width, height), (height, width)})
        width += steps
    return sorted(resos)


def select_bucket(size: tuple[int, int], resos: list[tuple[int, int]]) -> tuple[int, int]:
    """BucketManager.select_bucket (upscaling allowed): its own size if predefined, else the first least
    aspect-ratio error (numpy argmin keeps the first)."""
    if size in resos:
        return size
    aspect = size[0] / size[1]
    errors = [abs(w / h - aspect) for w, h in resos]
    return resos[errors.index(min(errors))]


def bucketed_steps(samples: list[Sample], dataset: dict, batch_size: int) -> int:
    """BaseDataset.make_buckets: every image added num_repeats times to its bucket; ceil(count / batch) each."""
    if not dataset.get("enable_bucket", False):
        return math.ceil(sum(s.repeats for s in samples) / batch_size)
    resos = bucket_resolutions(*check_buckets(dataset))
    counts: dict[tuple[int, int], int] = {}
    for sample in samples:
        with Image.open(sample.image) as im:
            bucket = select_bucket(im.size, resos)
        counts[bucket] = counts.get(bucket, 0) + int(sample.repeats)
    return sum(math.ceil(n / batch_size) for n in counts.values())


def load(out: Path) -> dict:
    config = tomllib.loads((out / "dataset.toml").read_text(encoding="utf-8"))
    require(set(config) <= {"general", "datasets"}, f"unknown top-level tables {set(config)}")
    return config


def subsets(out: Path) -> tuple[dict, list[tuple[dict, dict]]]:
    """The one [[datasets]] table and each subset with its settings after config_util's fallbacks, checked."""
    config = load(out)
    general = config.get("general", {})
    require(len(config["datasets"]) == 1, "loraprep writes one [[datasets]]")
    dataset = config["datasets"][0]
    resolved = []
    for subset in dataset["subsets"]:
        settings = {k: setting(k, subset, dataset, general) for k in SUBSET_DEFAULTS}
        repeats, keep = settings["num_repeats"], settings["keep_tokens"]
        # DreamBoothDataset / FineTuningDataset.__init__ skip (a log line only) a subset with num_repeats < 1.
        require(isinstance(repeats, int) and repeats >= 1, f"num_repeats {repeats} is skipped")
        require(isinstance(keep, int) and keep >= 0, f"keep_tokens {keep!r}")
        resolved.append((subset, settings))
    return dataset, resolved


def make_view(samples: list[Sample], dataset: dict) -> View:
    batch = dataset.get("batch_size", 1)
    return View(samples, lambda s, rng: process_caption(s.caption, s.settings, rng),
                sum(int(s.repeats) for s in samples), lambda b=batch: bucketed_steps(samples, dataset, b))


def read(out: Path) -> View:
    dataset, resolved = subsets(out)
    samples = []
    for subset, settings in resolved:
        images = glob_images(subset["image_dir"])
        require(bool(images), f"{subset['image_dir']}: no images found, the subset is skipped")
        for image in images:
            caption = read_caption(image, settings["caption_extension"])
            require(caption is not None, f"{image}: no caption file")
            samples.append(Sample(Path(image), caption, settings["num_repeats"], settings))
    return make_view(samples, dataset)


__all__ = ["Rejected", "check_buckets", "make_view", "process_caption", "read", "subsets"]
