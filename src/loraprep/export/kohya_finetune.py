"""kohya-ss sd-scripts fine-tuning metadata: meta.json (absolute image paths with extension -> caption, size).

One metadata file per (concept, tier) under meta/ keeps the planned repeats: dataset.toml lists each as a
subset with its num_repeats. meta.json holds every image, for `fine_tune.py --in_json meta.json`, which has
one global --dataset_repeats and so loses the per-concept balance.
"""

from __future__ import annotations

import json
import shlex
from pathlib import PurePosixPath

from loraprep.export.base import ExportContext, FolderPerGroup
from loraprep.export.kohya import TRAIN_FILE, KohyaCaptions, bucket_table, caption_table, subset_keys, write_text
from loraprep.export.kohya_train import train_config
from loraprep.export.tomlwrite import toml_dumps

META_FILE = "meta.json"
DATASET_FILE = "dataset.toml"


def _meta(ctx: ExportContext, placed) -> str:
    data = {str(ctx.final(p.relpath)): _entry(p) for p in placed}
    return json.dumps(data, ensure_ascii=False, indent=2) + "\n"


def _entry(placed) -> dict:
    """One image's metadata. sd-scripts' FineTuningDataset.__init__ (library/train_util.py) takes "image_size"
    ([width, height]) as the image's size for bucketing instead of opening the file: at a million images that
    is a million image opens saved. The size is the exported file's: the store's, after EXIF rotation, which
    the export applies to the pixels (export/convert.py)."""
    entry: dict = {"caption": placed.caption}
    width, height = placed.item.width, placed.item.height
    if width and height:
        entry["image_size"] = [width, height]
    return entry


class KohyaFinetuneExporter(KohyaCaptions, FolderPerGroup):
    images_root = "images"
    name = "kohya-finetune"
    description = "kohya-ss sd-scripts fine-tuning: images + meta.json (absolute paths) + dataset.toml"
    sidecar_captions = False

    def write_configs(self, ctx: ExportContext) -> list[PurePosixPath]:
        (ctx.stage_root / "meta").mkdir(exist_ok=True)
        written = [write_text(ctx, META_FILE, _meta(ctx, ctx.placed))]
        subsets = []
        for group in ctx.groups:
            rel = f"meta/{group.folder}.json"
            written.append(write_text(ctx, rel, _meta(ctx, ctx.items_of(group))))
            subsets.append({
                "metadata_file": str(ctx.final(rel)),
                "num_repeats": group.repeats,
                **subset_keys(group),
            })
        config = {"general": caption_table(ctx.options),
                  "datasets": [{**bucket_table(ctx.options), "subsets": subsets}]}
        header = "# kohya-ss sd-scripts fine-tuning dataset config written by loraprep.\n"
        written.append(write_text(ctx, DATASET_FILE, header + toml_dumps(config)))
        if ctx.options.train_preset:
            # train_network.py reads fine-tuning subsets from the same --dataset_config (config_util.py).
            written.append(write_text(ctx, TRAIN_FILE, train_config(ctx, ctx.final(DATASET_FILE))))
        return written

    def train_command(self, ctx: ExportContext) -> str:
        if ctx.options.train_preset:
            return f"accelerate launch train_network.py --config_file {shlex.quote(str(ctx.final(TRAIN_FILE)))}"
        return (
            "accelerate launch train_network.py "
            f"--dataset_config {shlex.quote(str(ctx.final(DATASET_FILE)))} --pretrained_model_name_or_path MODEL "
            "--network_module networks.lora --output_dir OUTPUT"
        )
