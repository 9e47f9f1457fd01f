"""The two shapes of an image's tags (Tag records with provenance; LeanBase, names and scores only) and Dropped."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import Mapping

SOURCES = ("tagger", "import", "user", "rule")


FRONT = "user:front"  # the origin of a tag the user added at the front of the caption (after trigger and fixed)


@dataclass(frozen=True)
class Tag:
    """One tag of one image: name as stored, its category, tagger score (None if not from the tagger), provenance."""

    name: str
    category: str = "general"
    score: float | None = None
    source: str = "tagger"        # tagger | import | user | rule
    origin: str = "tagger"        # 'tagger', 'file:a/001.txt', 'user', 'rule:trigger', ...
    pinned: bool = False

    @classmethod
    def fast(cls, name: str, category: str, score: float | None, source: str, origin: str,
             pinned: bool = False) -> "Tag":
        """The same Tag without the frozen dataclass's per-field setattr: built 400,000 times per 10k images."""
        tag = object.__new__(cls)
        object.__setattr__(tag, "__dict__", {"name": name, "category": category, "score": score, "source": source,
                                             "origin": origin, "pinned": pinned})
        return tag

    @property
    def by_user(self) -> bool:
        """A tag the user added or pinned: no rule may drop it."""
        return self.pinned or self.source == "user"


@dataclass(frozen=True, init=False)
class Dropped:
    """A tag a rule removed, with the rule's name and why."""

    tag: Tag
    rule: str
    why: str = ""

    def __init__(self, tag: Tag, rule: str, why: str = ""):
        # One dict assignment instead of the frozen dataclass's setattr per field: ~130,000 per 10k images.
        object.__setattr__(self, "__dict__", {"tag": tag, "rule": rule, "why": why})


@dataclass(frozen=True)
class LeanBase:
    """One image's tags before rules as parallel tuples: what the rules need, without a Tag object per tag.

    ``sources``/``origins`` are None for the common image whose tags all come from the tagger.
    """

    names: tuple[str, ...]
    scores: tuple                       # float, or None for a tag no tagger score backs
    pinned: frozenset = frozenset()
    removed: frozenset = frozenset()    # names the user removed: hidden from every source
    sources: tuple | None = None
    origins: tuple | None = None

    @cached_property
    def name_set(self) -> frozenset:
        return frozenset(self.names)

    @property
    def user(self) -> frozenset:
        """Names no rule may drop: added or pinned by the user."""
        if self.sources is None:
            return self.pinned
        return self.pinned | {n for n, s in zip(self.names, self.sources) if s == "user"}

    @property
    def in_front(self) -> frozenset:
        """Names the user added at the front of the caption."""
        if self.origins is None or FRONT not in self.origins:
            return frozenset()
        return frozenset(n for n, o in zip(self.names, self.origins) if o == FRONT)

    def source_of(self, i: int) -> str:
        return "tagger" if self.sources is None else self.sources[i]

    def origin_of(self, i: int) -> str:
        return "tagger" if self.origins is None else self.origins[i]

    def tags(self, categories: Mapping[str, str], category_of: Mapping[str, str] | None = None) -> list[Tag]:
        """The same tags as Tag objects (for evidence and the editor's chips)."""
        fast = Tag.fast
        get = (category_of or {}).get
        fallback = categories.get
        return [fast(n, get(n) or fallback(n, "general"), s, self.source_of(i), self.origin_of(i), n in self.pinned)
                for i, (n, s) in enumerate(zip(self.names, self.scores))]


TagSet = tuple  # tuple[Tag, ...], ordered: the caption order once the rules ran
