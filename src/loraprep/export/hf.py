"""Hugging Face `imagefolder`: every image flat in train/ with train/metadata.jsonl (file_name, text, concept, ...).

Flat on purpose: `datasets` infers splits from folder and file names anywhere in the tree, so a concept
folder called "test" or "val" would silently become its own split. One flat train/ folder cannot.
Load with: datasets.load_dataset("imagefolder", data_dir=OUT, split="train").
"""

from __future__ import annotations

import json
from pathlib import PurePosixPath

from loraprep.export.base import ExportContext, ExportOptions, Group
from loraprep.export.caption_tags import plain_caption

SPLIT = "train"


class HfExporter:
    name = "hf"
    description = "Hugging Face imagefolder: train/ + metadata.jsonl (file_name, text, concept, tier, repeats)"
    sidecar_captions = False

    def caption(self, text: str, options: ExportOptions) -> str:
        # The text column is the prompt as it is: no trainer that loads it knows kohya's keep_tokens_separator.
        return plain_caption(text, options)

    def group_dir(self, group: Group, options: ExportOptions) -> PurePosixPath:
        return PurePosixPath(SPLIT)

    def naming_scope(self, group: Group, options: ExportOptions) -> str:
        return SPLIT

    def write_configs(self, ctx: ExportContext) -> list[PurePosixPath]:
        lines = []
        for placed in ctx.placed:
            row = {
                "file_name": placed.relpath.name,
                "text": placed.caption,
                "concept": placed.group.concept,
                "tier": placed.group.tier,
                "repeats": placed.group.repeats,
            }
            lines.append(json.dumps(row, ensure_ascii=False))
        rel = PurePosixPath(SPLIT, "metadata.jsonl")
        (ctx.stage_root / rel).write_bytes(("\n".join(lines) + "\n").encode("utf-8"))
        return [rel]

    def train_command(self, ctx: ExportContext) -> str:
        return f'datasets.load_dataset("imagefolder", data_dir={str(ctx.final_root)!r}, split="train")'
