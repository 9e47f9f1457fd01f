"""What follows a duplicate group's keeper (pure): the user's caption, edits and best tier of the copies excluded.

The keeper is chosen for its pixels; the words a user wrote for the picture belong to the picture, whichever
file carries them. A keeper with no caption and no edits of its own takes those of the first excluded copy that
has any; every other copy whose words stay behind is named in a warning, so no user tag is dropped silently.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Mapping, Sequence

CARRIED = "dup:"          # origin prefix of every journal operation that carries words to a keeper


def carried_origin(donor_path: str) -> str:
    return f"{CARRIED}{donor_path}"


@dataclass(frozen=True)
class Copy:
    """One file of a group as the carry sees it: its journal states (tag -> TagState) and tier."""

    file_id: int
    image_id: str
    path: str
    tier: str
    states: Mapping[str, object]

    @property
    def imported(self) -> list[str]:
        """Caption-file tags, in file order."""
        return [t for t, s in self.states.items() if s.imported]

    @property
    def user(self) -> list[tuple[str, str]]:
        """(tag, the user's last word: add | remove | pin) for every tag the user touched."""
        return [(t, s.user) for t, s in self.states.items() if s.user is not None]

    @property
    def has_words(self) -> bool:
        return bool(self.imported or self.user)


@dataclass(frozen=True)
class Carry:
    """The decision for one group: tags to import into the keeper, user operations to replay on it, the tier to
    give it (None: keep its own), and the warnings for copies whose words stay behind."""

    donor: Copy | None
    imports: tuple[str, ...]
    user_ops: tuple[tuple[str, str], ...]
    tier: str | None
    warnings: tuple[str, ...]


def plan_carry(keeper: Copy, excluded: Sequence[Copy], *, carried_from: frozenset[str] = frozenset(),
               keeper_tier_set_by_user: bool = False, tier_rank: Mapping[str, float] | None = None) -> Carry:
    """What to carry to ``keeper`` from the ``excluded`` copies (in group order: closest first).

    ``carried_from``: paths whose words an earlier run already carried to this keeper (nothing is carried twice).
    ``tier_rank``: tier -> weight (higher is better; unknown tiers 1.0); the keeper takes the best tier of its
    group unless the user set the keeper's tier.
    """
    rank = tier_rank or {}
    speakers = [c for c in excluded if c.has_words]
    donor = None
    if not carried_from and not keeper.has_words and speakers:
        donor = speakers[0]
    took = sorted(carried_from) or ([donor.path] if donor else [])
    warnings = tuple(
        f"{c.path}: its caption/edits ({_count(c)}) stay with it, excluded as a duplicate of {keeper.path}"
        + (f" (which took {took[0]}'s)" if took else " (which has its own)")
        + f"; to keep this copy instead: `loraprep dedup DATASET keep {c.path}`"
        for c in speakers if c is not donor and c.path not in carried_from
    )
    tier = None
    best = max(excluded, key=lambda c: rank.get(c.tier, 1.0), default=None)
    if best is not None and not keeper_tier_set_by_user and rank.get(best.tier, 1.0) > rank.get(keeper.tier, 1.0):
        tier = best.tier
    return Carry(donor, tuple(donor.imported) if donor else (), tuple(donor.user) if donor else (), tier, warnings)


def _count(c: Copy) -> str:
    parts = []
    if c.imported:
        parts.append(f"{len(c.imported)} caption tag(s)")
    if c.user:
        parts.append(f"{len(c.user)} edit(s)")
    return ", ".join(parts)
