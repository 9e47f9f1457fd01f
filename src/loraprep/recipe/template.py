"""The commented loraprep.toml that `loraprep init` writes: every key, its default, one line of help."""

from __future__ import annotations

import json

from loraprep.model.recipe import CropSettings, ExportSettings, RuleSettings, TaggerSettings
from loraprep.recipe.schema import CROP, EXPORT, RULES, TAGGER


def _toml(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (tuple, list)):
        return "[" + ", ".join(_toml(v) for v in value) + "]"
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    return repr(value)


def _section(name: str, schema: dict, defaults, skip: set[str] = frozenset()) -> list[str]:
    lines = [f"[{name}]"]
    for key, (field, _check, help_text) in schema.items():
        if key in skip:
            continue
        value = getattr(defaults, field)
        shown = "..." if value is None or value == () or key in ("aliases", "consolidate") else _toml(value)
        lines.append(f"{f'# {key} = {shown}':<36} # {help_text}")
    return lines


def render_recipe_template(triggers: list[str]) -> str:
    """A recipe that loads as the defaults plus the given trigger words; uncomment a line to change it."""
    trigger_line = f"trigger = {_toml(list(triggers))}" if triggers else "# trigger = [\"mychar\"]"
    lines = [
        "# loraprep recipe: every curation, balance and export choice of this dataset.",
        "# Uncomment a line to change it; docs/recipe.md explains every key with examples.",
        "",
        f"{trigger_line:<34} # activation tag(s), first in every caption (none for a style LoRA)",
        "# fixed = []                       # tags kept right after the trigger (e.g. \"armor outfit\")",
        "# strategy = \"all\"                 # all | absorb (trigger takes the learned traits) | only-learned",
        "# keep_tokens = \"auto\"             # leading tags never shuffled: auto = trigger + fixed",
        "# keep_tokens_separator = false    # true writes \"trigger ||| other tags\" (kohya's keep_tokens_separator)",
        "# caption_encoding = ...           # captions that are not UTF-8 (no byte-order mark), e.g. \"cp1252\"",
        "",
        *_section("tagger", TAGGER, TaggerSettings()),
        "",
        *_section("rules", RULES, RuleSettings()),
        "# aliases = { \"white panties\" = \"frilled panties\", \"* hair ornament\" = \"hair ornament\" }",
        "# consolidate = { \"frilled panties\" = [\"panties\", \"white panties\"] }",
        "",
        "# Per-concept overrides: any key above, plus repeats and weight.",
        "# [concepts.outfit_armor]",
        "# trigger = [\"mychar\", \"armor outfit\"]",
        "# repeats = 3",
        "",
        *_section("export", EXPORT, ExportSettings()),
        "",
        "# Detection and crops (`loraprep detect`, `loraprep crop`; `loraprep run` when enabled).",
        *_section("crop", CROP, CropSettings()),
        "",
    ]
    return "\n".join(lines)
