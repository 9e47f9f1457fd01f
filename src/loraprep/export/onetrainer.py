"""OneTrainer: one concept per (concept, tier) folder in concepts.json (__version 2, REPEATS balancing).

Captions come from the .txt beside each image (prompt_source "sample"), plain tags joined by the recipe's
separator, which is also tag_delimiter: mgds' ShuffleTags splits on it, keeps the first keep_tags_count tags
in place and shuffles the rest. kohya's keep_tokens_separator means nothing there and is never written. The file is ASCII-escaped JSON because OneTrainer opens it with the
platform's default encoding, which is not UTF-8 on Windows.
"""

from __future__ import annotations

import json
import zlib
from pathlib import PurePosixPath

from loraprep.export.base import ExportContext, ExportOptions, FolderPerGroup, Group
from loraprep.export.caption_tags import plain_caption

CONCEPTS_FILE = "concepts.json"


def concept_entry(ctx: ExportContext, group: Group, folder: PurePosixPath) -> dict:
    options = ctx.options
    return {
        "__version": 2,
        "image": {"__version": 0, "enable_crop_jitter": True, "enable_random_flip": False},
        "text": {
            "__version": 0,
            "prompt_source": "sample",
            "prompt_path": "",
            "enable_tag_shuffling": options.shuffle_caption,
            "tag_delimiter": options.caption_separator,
            "keep_tags_count": options.keep_tokens_for(group.concept),
        },
        "name": group.label or group.folder,
        "path": str(ctx.final(folder)),
        # A stable seed per concept keeps re-exports byte-identical (OneTrainer would pick a random one).
        "seed": zlib.crc32(group.folder.encode("utf-8")) & 0x3FFFFFFF,
        "enabled": True,
        "type": "STANDARD",
        "include_subdirectories": False,
        "image_variations": 1,
        "text_variations": 1,
        "balancing": float(group.repeats),
        "balancing_strategy": "REPEATS",
        "loss_weight": 1.0,
    }


class OneTrainerExporter(FolderPerGroup):
    name = "onetrainer"
    description = "OneTrainer: a folder per concept, .txt captions, concepts.json"
    sidecar_captions = True

    def caption(self, text: str, options: ExportOptions) -> str:
        return plain_caption(text, options)

    def write_configs(self, ctx: ExportContext) -> list[PurePosixPath]:
        entries = [concept_entry(ctx, g, self.group_dir(g, ctx.options)) for g in ctx.groups]
        text = json.dumps(entries, ensure_ascii=True, indent=4) + "\n"
        (ctx.stage_root / CONCEPTS_FILE).write_bytes(text.encode("ascii"))
        return [PurePosixPath(CONCEPTS_FILE)]

    def train_command(self, ctx: ExportContext) -> str:
        return f"OneTrainer: Concepts tab -> load {ctx.final(CONCEPTS_FILE)} (or set concept_file_name in the config)"
