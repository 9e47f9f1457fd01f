"""Pure dedup decisions: threshold presets, keeper ranking, user decisions and the reason text."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Mapping

from loraprep.errors import UsageError

# Distance = % of the picture that changed after undoing crop/mirror/brightness (see verify.py).
PRESETS = {"strict": 1.5, "default": 2.5, "loose": 4.0}   # measured: benchmarks/dedup.py
LOSSLESS = {"PNG", "WEBP_LOSSLESS", "BMP", "TIFF", "GIF", "PPM", "QOI"}


SIMILAR_FLOOR = 50.0   # a similarity under this would let half the picture change: never a duplicate
_RANGE_HINT = ("a number from 0 to 50 is the percent of the picture that may change; a number over 50, or one "
               "ending in %, is a similarity as dupeGuru's hardness means it (97 = 97% similar = 3% changed)")


def resolve_threshold(threshold: str | float | int) -> float:
    """A preset name, a percent changed (0-50), or a similarity percent (over 50 up to 100, or written ``97%``:
    dupeGuru's "hardness") -> percent of the picture changed; UsageError otherwise."""
    if isinstance(threshold, str) and threshold.strip().lower() in PRESETS:
        return PRESETS[threshold.strip().lower()]
    text = str(threshold).strip()
    similarity = text.endswith("%")
    try:
        if isinstance(threshold, bool):
            raise ValueError
        value = float(threshold) if isinstance(threshold, (int, float)) else float(text.rstrip("%").strip())
    except ValueError:
        raise UsageError(f"unknown dedup threshold {threshold!r}",
                         f"use one of {', '.join(PRESETS)}, or {_RANGE_HINT}") from None
    if similarity or value > SIMILAR_FLOOR:
        if not SIMILAR_FLOOR <= value <= 100.0:
            raise UsageError(f"dedup similarity {text} is out of range",
                             f"a similarity goes from 50% to 100%; {_RANGE_HINT}")
        return round(100.0 - value, 6)
    if value < 0.0:
        raise UsageError(f"dedup threshold {value:g} is out of range", f"use {_RANGE_HINT}")
    return value


@dataclass(frozen=True)
class UserDecisions:
    """Decisions a user recorded; every run respects them.

    ``keep``: image ids that are never excluded (each becomes the keeper of its group).
    ``split``: groups the user split, as the member ids they had: none of them is grouped with another.
    """

    keep: frozenset = frozenset()
    split: tuple[frozenset, ...] = ()
    # image id -> its family (a crop's source): a crop is never a duplicate of its own source, nor of a sibling
    family: Mapping = field(default_factory=dict, compare=False, hash=False)

    def forbids(self, a, b) -> bool:
        kin = self.family.get(a)
        if kin is not None and kin == self.family.get(b):
            return True
        return any(a in s and b in s for s in self.split)


@dataclass(frozen=True)
class KeeperPolicy:
    """Which copy of a duplicate group to keep: the best pixels (highest resolution, then no alpha, then
    lossless), then the copy the user captioned or edited, then the better user tier (``tier_rank``: tier name ->
    rank, higher is better), then the id.

    File size says nothing about quality: a q97 re-save of a q85 JPEG is bigger, not better, and an added
    watermark makes a PNG larger (measured: most crop misses in benchmarks/dedup.py came from a watermarked
    keeper). It is still available as the ``file_size`` criterion (larger lossy file first) for a custom order.
    Whatever the order, the group's caption, edits and best tier follow the keeper (ops/dedup.py carries them)."""

    order: tuple[str, ...] = ("resolution", "no_alpha", "lossless", "user_tags", "tier")
    tier_rank: dict = field(default_factory=dict)

    def rank_key(self, item) -> tuple:
        """Sort key, smallest first = best keeper; ties end on the id so the choice is stable."""
        parts = []
        for criterion in self.order:
            if criterion == "resolution":
                parts.append(-(item.width * item.height))
            elif criterion == "no_alpha":
                parts.append(1 if item.has_alpha else 0)
            elif criterion == "lossless":
                parts.append(0 if is_lossless(item.format) else 1)
            elif criterion == "user_tags":
                parts.append(0 if item.user_tags else 1)
            elif criterion == "file_size":
                parts.append(0 if is_lossless(item.format) else -item.file_size)
            elif criterion == "tier":
                parts.append(-self.tier_rank.get(item.tier, 0))
            else:
                raise UsageError(f"unknown keeper criterion {criterion!r}",
                                 "use resolution, no_alpha, lossless, user_tags, file_size, tier")
        return (*parts, str(item.image_id))


def is_lossless(fmt: str) -> bool:
    return (fmt or "").upper() in LOSSLESS


def why_text(kind: str, details: tuple[str, ...] = ()) -> str:
    """'exact bytes', 'exact pixels' or 'near: mirrored, cropped'."""
    if kind != "near" or not details:
        return kind
    return "near: " + ", ".join(details)


def reason(keeper_id, why: str, distance: float) -> str:
    """The excluded image's recorded reason."""
    return f"duplicate of {keeper_id} ({why}, distance {distance:g})"
