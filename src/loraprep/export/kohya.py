"""kohya-ss sd-scripts: img/<N>_<name>/ folders with .txt captions and a dataset.toml its config schema accepts.

Key placement follows sd-scripts' library/config_util.py schema: caption_extension and shuffle_caption in
[general]; resolution, batch_size and bucket settings per [[datasets]]; image_dir, num_repeats and
keep_tokens per [[datasets.subsets]]. caption_extension is always written: the default is ".caption".
"""

from __future__ import annotations

import shlex
from pathlib import PurePosixPath

from loraprep.export.base import ExportContext, ExportOptions, Group
from loraprep.export.caption_tags import CaptionTags, join, plain_caption, require_no_separator_inside
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
    """The [general] caption keys both kohya exports share (the per-subset ones are in subset_keys)."""
    table: dict = {"shuffle_caption": options.shuffle_caption}
    if options.caption_separator != ",":
        table["caption_separator"] = options.caption_separator
    return table


def subset_keys(group: Group) -> dict:
    """keep_tokens and the separators of one subset: config_util.py's SUBSET_ASCENDABLE_SCHEMA takes
    keep_tokens, keep_tokens_separator, secondary_separator and caption_separator per [[datasets.subsets]],
    so each concept keeps its own keep_tokens_separator."""
    keys: dict = {"keep_tokens": group.keep_tokens}
    if group.keep_separator:
        keys["keep_tokens_separator"] = group.keep_separator
    if group.secondary_separator:
        keys["secondary_separator"] = group.secondary_separator
    return keys


def write_text(ctx: ExportContext, name: str, text: str) -> PurePosixPath:
    (ctx.stage_root / name).write_bytes(text.encode("utf-8"))
    return PurePosixPath(name)


class KohyaCaptions:
    """sd-scripts' captions: the kept prefix marked with the subset's keep_tokens_separator while it shuffles.

    BaseDataset.process_caption (library/train_util.py): with shuffle_caption, a caption holding the
    keep_tokens_separator keeps the part before it and ignores keep_tokens; one without it keeps the first
    keep_tokens tags (the subset's count, which is this image's: groups share one). Without shuffle_caption it
    never looks for the separator, so the text encoder would see a literal '|||': the caption is written plain.
    After shuffling it replaces secondary_separator with caption_separator, so a tag holding the separator is
    written with the secondary one and moves as one tag.
    """

    train_presets = True
    secondary_separator = True

    def caption(self, tags: CaptionTags, group: Group, options: ExportOptions) -> str:
        if not options.shuffle_caption:
            return plain_caption(tags, options)
        sep = options.caption_separator.strip() or ","
        written = tags
        if group.secondary_separator:
            written = CaptionTags(tuple(t.replace(sep, group.secondary_separator) for t in tags.tags), tags.kept)
        require_no_separator_inside(written, sep, "sd-scripts", "shuffle_caption is on")
        token = group.keep_separator
        if token:
            require_no_separator_inside(written, token, "sd-scripts", "it marks the kept tags")
        kept = written.kept or 0
        if token and 0 < kept < len(written.tags):
            return f"{join(written.tags[:kept], sep)} {token} {join(written.tags[kept:], sep)}"
        return written.joined(sep)


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
                **subset_keys(group),
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
