"""Frozen tag records: one Tag with its provenance, and Dropped, the evidence of a tag a rule removed."""

from __future__ import annotations

from dataclasses import dataclass

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


TagSet = tuple  # tuple[Tag, ...], ordered: the caption order once the rules ran
