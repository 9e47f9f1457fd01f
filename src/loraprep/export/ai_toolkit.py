"""ostris ai-toolkit: a folder per (concept, tier) with .txt captions, and the `datasets:` block of its job YAML.

ai-toolkit walks folder_path recursively, so every group has its own sibling folder and its own entry
(num_repeats is per entry). Paste ai_toolkit_datasets.yaml under config.process[0] of a job config.

Shuffling: ai-toolkit's FileItemDTO.get_caption (toolkit/dataloader_mixins.py, CaptionMixin) splits the
caption on ',' and, with shuffle_tokens, shuffles every token, then adds the trigger and shuffles the whole
caption again; keep_tokens is read only by its token dropout. Nothing keeps the trigger first, so
shuffle_tokens is written false unless the user opts in ([export] ai_toolkit_shuffle = true).
"""

from __future__ import annotations

from pathlib import PurePosixPath

from loraprep.export.base import ExportContext, ExportOptions, FolderPerGroup
from loraprep.export.caption_tags import comma_caption, plain_caption
from loraprep.export.yamlwrite import yaml_dumps

DATASETS_FILE = "ai_toolkit_datasets.yaml"


def shuffles(options: ExportOptions) -> bool:
    return options.shuffle_caption and options.ai_toolkit_shuffle


class AiToolkitExporter(FolderPerGroup):
    name = "ai-toolkit"
    description = "ostris ai-toolkit: folders with .txt captions + the datasets: block of the job YAML"
    sidecar_captions = True

    def caption(self, text: str, options: ExportOptions) -> str:
        if not shuffles(options):
            return plain_caption(text, options)
        return comma_caption(text, options, "ai-toolkit", "shuffle_tokens is on")

    def write_configs(self, ctx: ExportContext) -> list[PurePosixPath]:
        options = ctx.options
        datasets = []
        for group in ctx.groups:
            entry = {
                "folder_path": str(ctx.final(self.group_dir(group, options))),
                "caption_ext": "txt",
                "num_repeats": group.repeats,
                "resolution": [options.resolution],
                "shuffle_tokens": shuffles(options),
                # Read by ai-toolkit's token dropout only (it keeps these tokens from being dropped).
                "keep_tokens": options.keep_tokens_for(group.concept),
            }
            triggers = options.triggers_for(group.concept)
            if triggers:
                # ai-toolkit adds trigger_word to captions lacking it; ours already start with it.
                entry["trigger_word"] = triggers[0]
            datasets.append(entry)
        header = (
            "# ai-toolkit datasets block written by loraprep: paste under config.process[0] of your job YAML.\n"
        )
        text = header + yaml_dumps({"datasets": datasets})
        (ctx.stage_root / DATASETS_FILE).write_bytes(text.encode("utf-8"))
        return [PurePosixPath(DATASETS_FILE)]

    def notes(self, options: ExportOptions) -> list[str]:
        if not options.shuffle_caption:
            return []
        if shuffles(options):
            return ["ai-toolkit: shuffle_tokens is on, so the trigger and fixed tags are shuffled with the rest "
                    "(ai-toolkit keeps no tag first)"]
        return ["ai-toolkit: shuffle_tokens written as false: ai-toolkit shuffles the whole caption, trigger "
                "included; set `ai_toolkit_shuffle = true` under [export] in loraprep.toml to shuffle anyway"]

    def train_command(self, ctx: ExportContext) -> str:
        return f"python run.py JOB.yaml  (with the datasets: block from {ctx.final(DATASETS_FILE)})"
