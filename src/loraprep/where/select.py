"""Selection expressions (`concept:armor AND "red hair" AND NOT hat`): parsed once, compiled to fast closures.

The language (also in docs/cli.md under `--where`): a tag bare (`hat`, `red_hair`) or quoted (`"red hair"`,
`'star (symbol)'`); `concept:NAME`, `tier:NAME`, `status:active|excluded|failed`, `name:TEXT` (file-name
substring), `pinned:TAG`, `untagged`, `small`, `tags>N` (also `<`, `>=`, `<=`, `=`), `npeople>1` (person boxes, any comparison), `score("blurry")>0.6`
(or `blurry>0.6`; `>`, `>=`, `<`, `<=`; an unscored tag counts as 0); `AND` / `&&`, `OR` / `||`, `NOT` / `!` /
`-tag`, parentheses; adjacent terms are ANDed; NOT binds tighter than AND, AND tighter than OR.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, replace
from typing import Iterable, Mapping

from loraprep.errors import UsageError
from loraprep.model.tagname import display_name
from loraprep.where.parser import HINT, parse
from loraprep.where.terms import Node, Test


@dataclass(frozen=True)
class ImageView:
    """What a selection expression sees of one image; tags and score keys in display form (``red hair``)."""

    name: str
    concept: str
    tier: str
    status: str
    tags: frozenset[str]
    scores: Mapping[str, float]
    pinned: frozenset[str] = frozenset()
    small: bool = False
    npeople: int | None = None   # person boxes (store/derived.py people_fields); None: never detected
    crop_info: str = "full"      # full | upper body | head

    def normalised(self) -> ImageView:
        """A copy whose tag names are spelled as expressions match them, for callers holding raw names."""
        return replace(self, tags=frozenset(map(display_name, self.tags)),
                       scores={display_name(t): s for t, s in self.scores.items()},
                       pinned=frozenset(map(display_name, self.pinned)))


class Predicate:
    """A compiled selection: call it on an ImageView (or anything with the same attributes)."""

    __slots__ = ("test", "text", "tags")

    def __init__(self, node: Node):
        self.test: Test = node.test  # the bare closure, one call less per image in hot loops
        self.text: str = node.text  # canonical spelling; parses back to an equal predicate
        self.tags: frozenset[str] = node.tags

    def __call__(self, image: ImageView) -> bool:
        return self.test(image)

    def select(self, images: Iterable[ImageView]) -> list[ImageView]:
        """The images this predicate selects, in their order."""
        test = self.test
        return [image for image in images if test(image)]

    def __str__(self) -> str:
        return self.text

    def __repr__(self) -> str:
        return f"Predicate({self.text!r})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Predicate) and other.text == self.text

    def __hash__(self) -> int:
        return hash(self.text)


@functools.lru_cache(maxsize=256)
def parse_where(expr: str) -> Predicate:
    """Parse a selection expression; an empty one selects everything; a bad one raises UsageError with its column."""
    try:
        return Predicate(parse(expr or ""))
    except RecursionError:
        raise UsageError("bad filter: parentheses or NOTs nested too deeply", hint=HINT) from None


def matches(expr: str, image: ImageView) -> bool:
    """True when ``image`` is selected by ``expr``."""
    return parse_where(expr).test(image)


def referenced_tags(expr: str) -> set[str]:
    """Tags the expression names (plain, score() and pinned: terms), in display form, for highlighting."""
    return set(parse_where(expr).tags)
