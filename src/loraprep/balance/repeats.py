"""Repeats per concept and tier so every concept contributes about the same samples (or its weight's share) per epoch.

The rule, from the guides:
- concepts are balanced against the largest one: 20/33/100/50 images -> 5/3/1/2 repeats (guide 004);
- inside a concept, tiers are weighted: primaries 5x, supporting 1x (guide 003: 58 primaries x 5 vs 164 x 1);
- a per-concept weight scales a concept's share;
- a concept's own repeats (the recipe's ``repeats``) replace the balance but keep the tier weights: they are the
  repeats of a weight-1 tier, so ``repeats = 3`` gives supporting images 3 and primaries 15 (guide 003: primaries
  must contribute more steps than supporting images); a group's exact repeats (``override``, e.g. a kohya
  ``5_name`` folder) are kept as they are.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Mapping, Sequence

DEFAULT_TIER_WEIGHTS: Mapping[str, float] = {"": 1.0, "primary": 5.0, "supporting": 1.0}


@dataclass(frozen=True)
class RepeatsRequest:
    """One (concept, tier) group to balance."""

    concept: str
    tier: str
    images: int
    weight: float = 1.0
    override: int | None = None
    concept_repeats: int | None = None


@dataclass(frozen=True)
class RepeatsDecision:
    """The repeats chosen for one group and why: balanced, override, capped."""

    concept: str
    tier: str
    repeats: int
    source: str


def round_half_up(value: float) -> int:
    return int(math.floor(value + 0.5))


def tier_weight(tier: str, weights: Mapping[str, float]) -> float:
    """A tier's weight; unknown tiers count like untiered images (1.0)."""
    return float(weights.get(tier, weights.get(tier.lower(), 1.0)))


def balance_repeats(
    requests: Sequence[RepeatsRequest],
    tier_weights: Mapping[str, float] = DEFAULT_TIER_WEIGHTS,
    max_repeats: int = 30,
) -> list[RepeatsDecision]:
    """Base repeats (>= 1) for every group, in input order; empty groups get 0.

    A concept's weighted size is the sum of its groups' images x tier weight; the concept with the largest
    size / weight gets 1 repeat per unit of tier weight and every other concept is scaled up to match its weight.
    """
    if max_repeats < 1:
        raise ValueError("max_repeats must be at least 1")
    sizes: dict[str, float] = {}
    weights: dict[str, float] = {}
    for request in requests:
        if request.weight <= 0:
            raise ValueError(f"concept {request.concept!r}: weight must be positive")
        if request.override is None and request.concept_repeats is None and request.images > 0:
            sizes[request.concept] = sizes.get(request.concept, 0.0) + request.images * tier_weight(
                request.tier, tier_weights
            )
        weights.setdefault(request.concept, request.weight)
    reference = max((sizes[c] / weights[c] for c in sizes), default=0.0)

    decisions = []
    for request in requests:
        if request.images <= 0:
            decisions.append(RepeatsDecision(request.concept, request.tier, 0, "empty"))
        elif request.override is not None:
            decisions.append(RepeatsDecision(request.concept, request.tier, request.override, "override"))
        elif request.concept_repeats is not None:
            scaled = max(1, round_half_up(request.concept_repeats * tier_weight(request.tier, tier_weights)))
            decisions.append(RepeatsDecision(request.concept, request.tier, scaled, "override"))
        else:
            per_unit = reference * weights[request.concept] / sizes[request.concept]
            wanted = max(1, round_half_up(per_unit * tier_weight(request.tier, tier_weights)))
            if wanted > max_repeats:
                decisions.append(RepeatsDecision(request.concept, request.tier, max_repeats, "capped"))
            else:
                decisions.append(RepeatsDecision(request.concept, request.tier, wanted, "balanced"))
    return decisions
