"""ostris ai-toolkit: a folder per (concept, tier) with .txt captions, and the `datasets:` block of its job YAML.

ai-toolkit walks folder_path recursively, so every group has its own sibling folder and its own entry
(num_repeats is per entry). Paste ai_toolkit_datasets.yaml under config.process[0] of a job config.
"""

from __future__ import annotations

from pathlib import PurePosixPath

from loraprep.export.base import ExportContext, FolderPerGroup
from loraprep.export.yamlwrite import yaml_dumps

DATASETS_FILE = "ai_toolkit_datasets.yaml"


class AiToolkitExporter(FolderPerGroup):
    name = "ai-toolkit"
    description = "ostris ai-toolkit: folders with .txt captions + the datasets: block of the job YAML"
    sidecar_captions = True


    def write_configs(self, ctx: ExportContext) -> list[PurePosixPath]:
        options = ctx.options
        datasets = []
        for group in ctx.groups:
            entry = {
                "folder_path": str(ctx.final(self.group_dir(group, options))),
                "caption_ext": "txt",
                "num_repeats": group.repeats,
                "resolution": [options.resolution],
                "shuffle_tokens": options.shuffle_caption,
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

    def train_command(self, ctx: ExportContext) -> str:
        return f"python run.py JOB.yaml  (with the datasets: block from {ctx.final(DATASETS_FILE)})"
