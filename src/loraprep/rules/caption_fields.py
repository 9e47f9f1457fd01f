"""Captions from fields (guide 002): the fixed head, then npeople, character, ..., tags in the recipe's order.

Each field is one or more caption elements, joined by the trainer's separator like tags, so a trainer that
shuffles moves a field's element as one tag. ``use_<field>_prob`` leaves a field out of one image's caption with
that probability, drawn from a random generator seeded by (seed, image, field): the same export twice gives the
same captions, and a field's draw does not depend on which other fields exist.

``keep_tokens_before`` moves the end of the kept prefix to where a field starts; kohya exports then write its
keep_tokens_separator there (export/kohya.py): sd-scripts' BaseDataset.process_caption (library/train_util.py)
splits the caption once on keep_tokens_separator and shuffles only the part after it. Other trainers get the
kept count as their own setting.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from typing import Mapping

from loraprep.model.recipe import CaptionSettings

# Rules whose drops are character traits (guide 002's "dropped character tags").
CHARACTER_RULES = ("strategy", "prune_mode")


@dataclass(frozen=True)
class Composed:
    tags: tuple[str, ...]
    keep: int
    fields: tuple[str, ...]   # the fields that made it into this caption


def drawn(settings: CaptionSettings, image_key: str, field: str) -> bool:
    """Whether ``field`` goes into this image's caption (always when its probability is 1)."""
    prob = settings.prob(field)
    if prob >= 1:
        return True
    return random.Random(f"{settings.seed}:{image_key}:{field}").random() < prob


def elements(value: str, inner_separator: str | None) -> list[str]:
    """A field's value ('a, b' holds two items) as caption elements: one per item, or one joined element."""
    items = [item.strip() for item in value.split(",") if item.strip()]
    if inner_separator is not None and items:
        return [inner_separator.join(items)]
    return items


def compose(names: tuple[str, ...], keep: int, fields: Mapping[str, str], settings: CaptionSettings,
            image_key: str, dropped_character: tuple[str, ...] = ()) -> Composed:
    """The caption elements of one image and how many lead elements the trainer keeps in place.

    ``names``/``keep``: the rules' verdict (the fixed head first). Without ``keep_tokens_before`` the kept part
    is the head; with it, everything before that field's place in the order.
    """
    head, rest = list(names[:keep]), list(names[keep:])
    out, used = list(head), []
    kept = len(head)
    for field in settings.ordering or ("tags",):
        if field == settings.keep_tokens_before:
            kept = len(out)
        if field == "tags":
            out.extend(rest)
            used.append(field)
            continue
        value = fields.get(field, "")
        if not value or not drawn(settings, image_key, field):
            continue
        new = [e for e in elements(value, settings.inner_separator) if e not in out]
        if new:
            out.extend(new)
            used.append(field)
    if settings.append_dropped_character_tags and not settings.append_dropped_character_tags_wildcard:
        out.extend(t for t in dropped_character if t not in out)
    # A field element equal to a later tag: the tag's copy goes (the field's place wins).
    unique = list(dict.fromkeys(out))
    return Composed(tuple(unique), min(kept, len(unique)), tuple(used))
