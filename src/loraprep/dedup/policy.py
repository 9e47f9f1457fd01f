"""Pure dedup decisions: threshold presets, keeper ranking, user decisions and the reason text."""

from __future__ import annotations

from dataclasses import dataclass, field

from loraprep.errors import UsageError

# Distance = % of the picture that changed after undoing crop/mirror/brightness (see verify.py).
PRESETS = {"strict": 1.5, "default": 2.5, "loose": 4.0}   # measured: benchmarks/dedup.py
LOSSLESS = {"PNG", "WEBP_LOSSLESS", "BMP", "TIFF", "GIF", "PPM", "QOI"}


def resolve_threshold(threshold: str | float | int) -> float:
    """A preset name or a number (percent of changed picture) -> the number; UsageError otherwise."""
    if isinstance(threshold, (int, float)) and not isinstance(threshold, bool):
        value = float(threshold)
    elif isinstance(threshold, str) and threshold.strip().lower() in PRESETS:
        return PRESETS[threshold.strip().lower()]
    else:
        try:
            value = float(str(threshold))
        except ValueError:
            raise UsageError(f"unknown dedup threshold {threshold!r}",
                             f"use one of {', '.join(PRESETS)} or a number from 0 to 50") from None
    if not 0.0 <= value <= 50.0:
        raise UsageError(f"dedup threshold {value} is out of range", "use a number from 0 to 50 (percent changed)")
    return value


@dataclass(frozen=True)
class UserDecisions:
    """Decisions a user recorded; every run respects them.

    ``keep``: image ids that are never excluded (each becomes the keeper of its group).
    ``split``: groups the user split, as the member ids they had: none of them is grouped with another.
    """

    keep: frozenset = frozenset()
    split: tuple[frozenset, ...] = ()

    def forbids(self, a, b) -> bool:
        return any(a in s and b in s for s in self.split)


@dataclass(frozen=True)
class KeeperPolicy:
    """Which copy of a duplicate group to keep: highest resolution, then no alpha, then lossless,
    then larger file, then the better user tier (``tier_rank``: tier name -> rank, higher is better).

    "Larger file" ranks lossy copies only (a bigger JPEG of the same size is a higher quality). Between
    lossless copies the size says nothing about quality, only about content: an added watermark or
    signature makes a PNG larger, so ranking by it would keep the edited copy (measured: most crop
    misses in benchmarks/dedup.py came from a watermarked keeper). Lossless ties go to the tier, then the id."""

    order: tuple[str, ...] = ("resolution", "no_alpha", "lossless", "file_size", "tier")
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
            elif criterion == "file_size":
                parts.append(0 if is_lossless(item.format) else -item.file_size)
            elif criterion == "tier":
                parts.append(-self.tier_rank.get(item.tier, 0))
            else:
                raise UsageError(f"unknown keeper criterion {criterion!r}",
                                 "use resolution, no_alpha, lossless, file_size, tier")
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
