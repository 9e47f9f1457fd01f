"""kohya-ss sd-scripts: img/<N>_<name>/ folders with .txt captions and a dataset.toml its config schema accepts.

Key placement follows sd-scripts' library/config_util.py schema: caption_extension and shuffle_caption in
[general]; resolution, batch_size and bucket settings per [[datasets]]; image_dir, num_repeats and
keep_tokens per [[datasets.subsets]]. caption_extension is always written: the default is ".caption".
"""

from __future__ import annotations

import shlex
from pathlib import PurePosixPath

from loraprep.export.base import ExportContext, ExportOptions, Group
from loraprep.export.caption_tags import plain_caption
from loraprep.export.kohya_train import train_config
from loraprep.export.tomlwrite import toml_dumps

DATASET_FILE = "dataset.toml"
TRAIN_FILE = "train.toml"


def bucket_table(options: ExportOptions) -> dict:
    """The [[datasets]] keys shared by the kohya and kohya-finetune exports."""
    table: dict = {"resolution": options.resolution, "batch_size": options.batch_size,
                   "enable_bucket": options.enable_bucket}
    if options.enable_bucket:
        table.update(min_bucket_reso=options.bucket_min, max_bucket_reso=options.bucket_max,
                     bucket_reso_steps=options.bucket_reso_steps, bucket_no_upscale=False)
    return table


def caption_table(options: ExportOptions) -> dict:
    """The [general] caption keys (shuffle, separators) both kohya exports share."""
    table: dict = {"shuffle_caption": options.shuffle_caption}
    if options.keep_tokens_separator:
        table["keep_tokens_separator"] = options.keep_tokens_separator
    if options.caption_separator != ",":
        table["caption_separator"] = options.caption_separator
    return table


def write_text(ctx: ExportContext, name: str, text: str) -> PurePosixPath:
    (ctx.stage_root / name).write_bytes(text.encode("utf-8"))
    return PurePosixPath(name)


class KohyaCaptions:
    """sd-scripts reads loraprep's captions as they are, keep_tokens_separator included, while it shuffles.

    Without shuffle_caption, BaseDataset.process_caption (library/train_util.py) never looks for the
    keep_tokens_separator, so the text encoder would see a literal '|||': the caption is written plain.
    """

    train_presets = True

    def caption(self, text: str, options: ExportOptions) -> str:
        return text if options.shuffle_caption else plain_caption(text, options)


class KohyaExporter(KohyaCaptions):
    name = "kohya"
    description = "kohya-ss sd-scripts: img/<N>_<name>/ folders, .txt captions, dataset.toml (+ train.toml)"
    sidecar_captions = True

    def group_dir(self, group: Group, options: ExportOptions) -> PurePosixPath:
        # <repeats>_<name>: sd-scripts' folder mode skips any folder without the number.
        return PurePosixPath("img", f"{group.repeats}_{group.folder}")

    def naming_scope(self, group: Group, options: ExportOptions) -> str:
        return group.folder

    def write_configs(self, ctx: ExportContext) -> list[PurePosixPath]:
        options = ctx.options
        subsets = []
        for group in ctx.groups:
            subsets.append({
                "image_dir": str(ctx.final(self.group_dir(group, options))),
                "num_repeats": group.repeats,
                "keep_tokens": options.keep_tokens_for(group.concept),
            })
        general = {"caption_extension": ".txt", **caption_table(options)}
        config = {"general": general, "datasets": [{**bucket_table(options), "subsets": subsets}]}
        header = (
            "# kohya-ss sd-scripts dataset config written by loraprep.\n"
            f"# Train: accelerate launch train_network.py --dataset_config {_quote(ctx.final(DATASET_FILE))} ...\n"
        )
        written = [write_text(ctx, DATASET_FILE, header + toml_dumps(config))]
        if options.train_preset:
            written.append(write_text(ctx, TRAIN_FILE, train_config(ctx, ctx.final(DATASET_FILE))))
        return written

    def train_command(self, ctx: ExportContext) -> str:
        if ctx.options.train_preset:
            return f"accelerate launch train_network.py --config_file {_quote(ctx.final(TRAIN_FILE))}"
        return (
            "accelerate launch train_network.py "
            f"--dataset_config {_quote(ctx.final(DATASET_FILE))} --pretrained_model_name_or_path MODEL "
            "--network_module networks.lora --output_dir OUTPUT"
        )


def _quote(path) -> str:
    return shlex.quote(str(path))
