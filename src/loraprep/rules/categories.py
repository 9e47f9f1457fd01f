"""Trait categories shipped with loraprep (hair colour, eye colour, clothing, ...) and the lookup of a tag's one."""

from __future__ import annotations

import functools
import sys
from dataclasses import dataclass
from importlib import resources

from loraprep.rules.patterns import PatternSet

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib


@dataclass(frozen=True)
class TraitCategory:
    name: str
    difficulty: int
    tags: PatternSet
    exclude: PatternSet
    innate: bool = False   # born with it (hair colour, eyes, body): absorb_core may give it to the trigger


@functools.lru_cache(maxsize=1)
def trait_categories() -> tuple[TraitCategory, ...]:
    data = tomllib.loads(resources.files("loraprep.data").joinpath("trait_categories.toml").read_text("utf-8"))
    return tuple(TraitCategory(name, int(t.get("difficulty", 0)), PatternSet(t.get("tags", [])),
                               PatternSet(t.get("exclude", [])), bool(t.get("innate", False)))
                 for name, t in data.items())


@functools.lru_cache(maxsize=65536)
def trait_of(tag: str) -> tuple[str, int] | None:
    """(category, difficulty) of a tag, or None when it describes no character trait."""
    for category in trait_categories():
        if tag in category.tags and tag not in category.exclude:
            return category.name, category.difficulty
    return None


@functools.lru_cache(maxsize=1)
def innate_categories() -> frozenset[str]:
    """The categories of what a character is born with (not hair style, not clothing)."""
    return frozenset(c.name for c in trait_categories() if c.innate)


def category_names() -> list[str]:
    return [c.name for c in trait_categories()]


@functools.lru_cache(maxsize=1)
def default_blacklist() -> tuple[str, ...]:
    text = resources.files("loraprep.data").joinpath("meta_blacklist.txt").read_text("utf-8")
    return tuple(line.strip() for line in text.splitlines() if line.strip() and not line.startswith("#"))
