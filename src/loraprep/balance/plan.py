"""make_plan: repeats per concept/tier, epochs for a target step count, totals and warnings, as one frozen Plan."""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field
from typing import Iterable, Mapping

from loraprep.balance.repeats import DEFAULT_TIER_WEIGHTS, RepeatsRequest, balance_repeats
from loraprep.balance.steps import BucketSpec, StepGroup, all_sizes_known, epochs_for, steps_per_epoch
from loraprep.balance.warnings import PlanFigures, plan_warnings
from loraprep.errors import DatasetError, UsageError


@dataclass(frozen=True)
class ConceptInput:
    """One (concept, tier) group of active images to plan for.

    ``sizes`` ((width, height) per image, optional) enables kohya's per-bucket step arithmetic; when given,
    ``images`` may be left 0 and is taken from it. ``weight`` is the concept's share (the first group of a
    concept sets it). ``repeats`` fixes this group's repeats exactly; ``concept_repeats`` (the recipe's per-concept
    ``repeats``) replaces the balance but keeps the tier weights (see repeats.py). ``regularization`` marks kohya
    reg images.
    """

    concept: str
    tier: str = ""
    images: int = 0
    sizes: tuple[tuple[int, int], ...] = ()
    weight: float = 1.0
    repeats: int | None = None
    regularization: bool = False
    concept_repeats: int | None = None

    @property
    def count(self) -> int:
        return self.images or len(self.sizes)


@dataclass(frozen=True)
class PlanRow:
    """One line of the plan table."""

    concept: str
    tier: str
    images: int
    repeats: int
    images_per_epoch: int
    steps_per_epoch: float
    share: float
    source: str  # balanced | override | capped | empty | regularization


@dataclass(frozen=True)
class Plan:
    """The whole plan: rows, epochs, steps and warnings; ``to_dict()`` is the ``--json`` document."""

    rows: tuple[PlanRow, ...]
    target_steps: int
    batch_size: int
    grad_accum: int
    epochs: int
    steps_per_epoch: int
    total_steps: int
    images: int
    images_per_epoch: int
    multiplier: int
    bucketed: bool
    exact: bool
    warnings: tuple[str, ...] = field(default_factory=tuple)

    def repeats_for(self, concept: str, tier: str = "") -> int:
        """The planned repeats of a group; KeyError when the plan has no such group."""
        for row in self.rows:
            if row.concept == concept and row.tier == tier:
                return row.repeats
        raise KeyError((concept, tier))

    def repeats_map(self) -> dict[tuple[str, str], int]:
        return {(row.concept, row.tier): row.repeats for row in self.rows}

    def to_dict(self) -> dict:
        data = asdict(self)
        data["rows"] = [asdict(row) for row in self.rows]
        data["warnings"] = list(self.warnings)
        return data


def make_plan(
    concepts: Iterable[ConceptInput],
    *,
    target_steps: int = 1500,
    batch_size: int = 2,
    epochs: int | None = None,
    tier_weights: Mapping[str, float] | None = None,
    max_repeats: int = 30,
    preferred_epochs: int = 10,
    buckets: BucketSpec | None = None,
    grad_accum: int = 1,
) -> Plan:
    """Plan repeats and epochs.

    Repeats are balanced (see repeats.py), then all balanced repeats are multiplied by the smallest whole
    factor that reaches ``target_steps`` within ``preferred_epochs`` (or within ``epochs`` when given), never
    past ``max_repeats``; explicit repeats are kept as they are. Steps use kohya's arithmetic: with
    ``buckets`` and known sizes, each aspect bucket is rounded up to whole batches.
    """
    groups = list(concepts)
    weights = dict(DEFAULT_TIER_WEIGHTS if tier_weights is None else tier_weights)
    _validate(groups, target_steps, batch_size, epochs, max_repeats, preferred_epochs, grad_accum, weights)
    train = [g for g in groups if not g.regularization]
    reg = [g for g in groups if g.regularization and g.count > 0]
    if not any(g.count for g in train):
        raise DatasetError(
            "nothing to plan: no concept has an active image",
            hint="run `loraprep scan DATASET` first, or check that images were not all excluded",
        )

    decisions = balance_repeats(
        [RepeatsRequest(g.concept, g.tier, g.count, g.weight, g.repeats, g.concept_repeats) for g in train], weights, max_repeats
    )
    balanced = [d.source in ("balanced", "capped") for d in decisions]
    base = [d.repeats for d in decisions]
    reg_groups = [StepGroup(g.count, g.repeats or 1, g.sizes, True) for g in reg]

    def step_groups(multiplier: int) -> list[StepGroup]:
        repeats = [r * multiplier if b else r for r, b in zip(base, balanced, strict=False)]
        return [StepGroup(g.count, r, g.sizes) for g, r in zip(train, repeats, strict=False)] + reg_groups

    def steps_at(multiplier: int) -> int:
        return steps_per_epoch(step_groups(multiplier), batch_size, buckets, grad_accum)

    largest_balanced = max((r for r, b in zip(base, balanced, strict=False) if b), default=0)
    top = max(1, max_repeats // largest_balanced) if largest_balanced else 1
    multiplier = top
    for candidate in range(1, top + 1):
        per_epoch = steps_at(candidate)
        if epochs:
            reached = per_epoch * epochs >= target_steps
        else:
            reached = epochs_for(target_steps, per_epoch) <= preferred_epochs
        if reached:
            multiplier = candidate
            break

    final_groups = step_groups(multiplier)
    per_epoch = steps_at(multiplier)
    planned_epochs = epochs or epochs_for(target_steps, per_epoch)
    rows = _rows(train, reg, decisions, final_groups, batch_size)
    train_samples = sum(r.images_per_epoch for r in rows if r.source != "regularization")
    concept_samples: dict[str, int] = {}
    concept_images: dict[str, int] = {}
    concept_weights: dict[str, float] = {}
    for group, row in zip(train, rows, strict=False):
        concept_weights.setdefault(group.concept, group.weight)
        concept_images[group.concept] = concept_images.get(group.concept, 0) + row.images
        if row.images:
            concept_samples[group.concept] = concept_samples.get(group.concept, 0) + row.images_per_epoch
    figures = PlanFigures(
        target_steps=target_steps,
        total_steps=per_epoch * planned_epochs,
        epochs=planned_epochs,
        epochs_given=epochs is not None,
        max_repeats=max_repeats,
        concept_images=concept_images,
        concept_samples=concept_samples,
        concept_weights=concept_weights,
        capped=[(d.concept, d.tier) for d in decisions if d.source == "capped"],
        empty=[(d.concept, d.tier) for d in decisions if d.source == "empty"],
        reg_samples_available=sum(g.count * (g.repeats or 1) for g in reg),
        train_samples=train_samples,
        tier_samples={(r.concept, r.tier): r.images_per_epoch for r in rows
                      if r.source != "regularization" and r.tier and r.images},
        tier_weights=weights,
    )
    return Plan(
        rows=tuple(rows),
        target_steps=target_steps,
        batch_size=batch_size,
        grad_accum=grad_accum,
        epochs=planned_epochs,
        steps_per_epoch=per_epoch,
        total_steps=per_epoch * planned_epochs,
        images=sum(g.count for g in train),
        images_per_epoch=sum(r.images_per_epoch for r in rows),
        multiplier=multiplier,
        bucketed=buckets is not None,
        exact=buckets is None or all_sizes_known(final_groups),
        warnings=plan_warnings(figures),
    )


def _rows(train, reg, decisions, final_groups, batch_size) -> list[PlanRow]:
    train_samples = sum(g.images * g.repeats for g in final_groups if not g.regularization)
    rows = []
    for group, decision, step_group in zip(train, decisions, final_groups, strict=False):
        samples = step_group.images * step_group.repeats
        rows.append(
            PlanRow(
                concept=group.concept,
                tier=group.tier,
                images=group.count,
                repeats=step_group.repeats,
                images_per_epoch=samples,
                steps_per_epoch=round(samples / batch_size, 1),
                share=round(samples / train_samples, 4) if train_samples else 0.0,
                source=decision.source,
            )
        )
    reg_available = sum(g.count * (g.repeats or 1) for g in reg)
    for group in reg:
        available = group.count * (group.repeats or 1)
        # kohya draws as many reg samples as there are train samples, spread over the reg images.
        used = math.ceil(train_samples * available / reg_available) if reg_available else 0
        rows.append(
            PlanRow(group.concept, group.tier, group.count, group.repeats or 1, used,
                    round(used / batch_size, 1), 0.0, "regularization")
        )
    return rows


def _validate(groups, target_steps, batch_size, epochs, max_repeats, preferred_epochs, grad_accum, weights) -> None:
    if target_steps < 1:
        raise UsageError("target steps must be at least 1", hint="pass --steps 1500")
    if batch_size < 1:
        raise UsageError("batch size must be at least 1", hint="pass --batch 2")
    if epochs is not None and epochs < 1:
        raise UsageError("epochs must be at least 1", hint="leave --epochs out to have it computed")
    if max_repeats < 1 or preferred_epochs < 1 or grad_accum < 1:
        raise UsageError("max repeats, preferred epochs and gradient accumulation must be at least 1")
    for tier, weight in weights.items():
        if weight <= 0:
            raise UsageError(f"tier {tier!r} has weight {weight}; tier weights must be positive")
    seen: set[tuple[str, str, bool]] = set()
    for g in groups:
        key = (g.concept, g.tier, g.regularization)
        if key in seen:
            raise UsageError(f"concept {g.concept!r} tier {g.tier!r} is listed twice")
        seen.add(key)
        if g.sizes and g.images and g.images != len(g.sizes):
            raise UsageError(f"concept {g.concept!r}: {g.images} images but {len(g.sizes)} sizes")
        if g.images < 0 or g.weight <= 0:
            raise UsageError(f"concept {g.concept!r}: image count and weight must be positive")
        if any(r is not None and r < 1 for r in (g.repeats, g.concept_repeats)):
            raise UsageError(
                f"concept {g.concept!r}: repeats must be at least 1 (kohya skips folders with 0 repeats)",
                hint="remove the images from the dataset instead of giving them 0 repeats",
            )
