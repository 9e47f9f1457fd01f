"""SimpleTuner: a folder per (concept, tier) with .txt captions and multidatabackend.json.

SimpleTuner counts repeats from zero (0 = each image once per epoch), so repeats = kohya repeats - 1.
caption_strategy is written explicitly ("textfile"): its default differs between versions. A default
text_embeds backend is required; caches live in cache/ inside the export and go with a re-export.

Captions are read whole (helpers/prompts.py PromptHandler.prepare_instance_prompt_from_textfile). With tag
shuffling on, each backend gets SimpleTuner's own caption_shuffle (CaptionShuffler.expand_with_shuffles:
split on ',', the first position_start tags kept), so captions are joined with ', ' and position_start is
the concept's keep count.
"""

from __future__ import annotations

import json
from pathlib import PurePosixPath
from typing import Iterable

from loraprep.export.base import ExportContext, ExportOptions, FolderPerGroup, Group
from loraprep.export.caption_tags import comma_caption, plain_caption

BACKENDS_FILE = "multidatabackend.json"
TEXT_EMBEDS_ID = "loraprep-text-embeds"
SHUFFLED_VARIANTS = 3  # the count of SimpleTuner's documented example; each variant is one more cached embed
TEXT_CACHE = PurePosixPath("cache", "text")


def vae_cache(group: Group) -> PurePosixPath:
    return PurePosixPath("cache", "vae", group.folder)


class SimpleTunerExporter(FolderPerGroup):
    images_root = "images"
    name = "simpletuner"
    description = "SimpleTuner: folders with .txt captions + multidatabackend.json (repeats = N - 1)"
    sidecar_captions = True

    def cache_dirs(self, options: ExportOptions, groups: Iterable[Group]) -> list[PurePosixPath]:
        """Where multidatabackend.json sends SimpleTuner's VAE and text-embed caches: inside the export."""
        return [vae_cache(g) for g in groups] + [TEXT_CACHE]

    def caption(self, text: str, options: ExportOptions) -> str:
        if not options.shuffle_caption:
            return plain_caption(text, options)
        return comma_caption(text, options, "SimpleTuner's caption_shuffle", "tag shuffling is on")

    def write_configs(self, ctx: ExportContext) -> list[PurePosixPath]:
        options = ctx.options
        backends = []
        for group in ctx.groups:
            backend = {
                "id": group.folder,
                "type": "local",
                "dataset_type": "image",
                "instance_data_dir": str(ctx.final(self.group_dir(group, options))),
                "caption_strategy": "textfile",
                "repeats": group.repeats - 1,
                "resolution": options.resolution,
                "resolution_type": "pixel_area",
                "crop": False,
                "cache_dir_vae": str(ctx.final(vae_cache(group))),
                "text_embeds": TEXT_EMBEDS_ID,
            }
            if options.shuffle_caption:
                backend["caption_shuffle"] = {"enable": True, "count": SHUFFLED_VARIANTS, "split_on": "comma",
                                              "position_start": options.keep_tokens_for(group.concept)}
            backends.append(backend)
        backends.append({
            "id": TEXT_EMBEDS_ID,
            "dataset_type": "text_embeds",
            "default": True,
            "type": "local",
            "cache_dir": str(ctx.final(TEXT_CACHE)),
        })
        text = json.dumps(backends, ensure_ascii=False, indent=2) + "\n"
        (ctx.stage_root / BACKENDS_FILE).write_bytes(text.encode("utf-8"))
        return [PurePosixPath(BACKENDS_FILE)]

    def train_command(self, ctx: ExportContext) -> str:
        return f'set data_backend_config to {ctx.final(BACKENDS_FILE)} in config/config.json, then: simpletuner train'
