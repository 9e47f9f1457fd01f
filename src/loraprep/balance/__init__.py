"""Repeats per concept and tier, epochs and steps arithmetic (pure: counts in, a Plan out)."""

from __future__ import annotations

from loraprep.balance.plan import ConceptInput, Plan, PlanRow, make_plan
from loraprep.balance.repeats import DEFAULT_TIER_WEIGHTS, RepeatsDecision, RepeatsRequest, balance_repeats
from loraprep.balance.steps import (
    BucketSpec,
    StepGroup,
    batches_per_epoch,
    bucket_resolutions,
    epochs_for,
    guide_steps,
    samples_per_epoch,
    select_bucket,
    steps_per_epoch,
)

__all__ = [
    "BucketSpec", "ConceptInput", "DEFAULT_TIER_WEIGHTS", "Plan", "PlanRow", "RepeatsDecision", "RepeatsRequest",
    "StepGroup", "balance_repeats", "batches_per_epoch", "bucket_resolutions", "epochs_for", "guide_steps",
    "make_plan", "samples_per_epoch", "select_bucket", "steps_per_epoch",
]
