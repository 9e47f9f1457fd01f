"""Warnings for plans far outside the ranges the guides report as working (pure: figures in, sentences out)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Mapping, Sequence

from loraprep.balance.repeats import tier_weight

MIN_TOTAL_STEPS = 500        # below this most LoRAs come out undertrained (guide 003 asks for >= ~1500)
MAX_TOTAL_STEPS = 10_000     # guide 004's largest row is 3,300; far beyond that usually overcooks
FEW_EPOCHS = 3               # fewer leaves no earlier checkpoint to fall back to (guides 003 and 004)
MANY_EPOCHS = 30             # guide 004 tops out at 17
FEW_IMAGES = 20              # guide 000: people train with "like 20 images"; guide 004's table starts at 20
SHARE_RATIO = 2.0            # a concept with over 2x (or under 1/2) its fair share of samples


@dataclass(frozen=True)
class PlanFigures:
    """What the warnings look at."""

    target_steps: int
    total_steps: int
    epochs: int
    epochs_given: bool
    max_repeats: int
    concept_images: Mapping[str, int]
    concept_samples: Mapping[str, int]
    concept_weights: Mapping[str, float]
    capped: Sequence[tuple[str, str]] = ()
    empty: Sequence[tuple[str, str]] = ()
    reg_samples_available: int = 0
    train_samples: int = 0
    tier_samples: Mapping[tuple[str, str], int] = field(default_factory=dict)   # samples per epoch of tiered groups
    tier_weights: Mapping[str, float] = field(default_factory=dict)


def _group(concept: str, tier: str) -> str:
    return f"{concept or '(root)'}/{tier}" if tier else (concept or "(root)")


def plan_warnings(f: PlanFigures) -> tuple[str, ...]:
    out: list[str] = []
    for concept, tier in f.empty:
        out.append(f"{_group(concept, tier)} has no active images; it is left out of training")
    for concept, tier in f.capped:
        out.append(
            f"{_group(concept, tier)} needed more than {f.max_repeats} repeats to keep up; capped, so it is "
            "under-represented: add images or lower the other concepts' weight"
        )
    for concept, count in sorted(f.concept_images.items()):
        if 0 < count < FEW_IMAGES:
            out.append(f"{concept or '(root)'} has only {count} images; the smallest sets the guides report working "
                       f"have about {FEW_IMAGES} (guide 000; guide 004's repeats table starts at {FEW_IMAGES})")
    if f.total_steps < MIN_TOTAL_STEPS:
        out.append(f"{f.total_steps} total steps is very few (under {MIN_TOTAL_STEPS}): "
                   "the LoRA will likely be undertrained")
    elif f.total_steps > MAX_TOTAL_STEPS:
        out.append(f"{f.total_steps} total steps is very many (over {MAX_TOTAL_STEPS}): "
                   "expect overtraining and long runs")
    if f.epochs_given and f.total_steps < 0.8 * f.target_steps:
        out.append(f"{f.epochs} epochs give {f.total_steps} steps, well under the {f.target_steps} target")
    if f.total_steps > 2 * f.target_steps:
        out.append(f"{f.epochs} epochs give {f.total_steps} steps, over twice the {f.target_steps} target")
    if f.epochs < FEW_EPOCHS:
        out.append(f"only {f.epochs} epoch(s): few checkpoints to compare: raise the target steps or the batch size")
    elif f.epochs > MANY_EPOCHS:
        out.append(f"{f.epochs} epochs is a lot (guides use 10-17): raise repeats or lower the target")
    out.extend(_share_warnings(f))
    out.extend(_tier_order_warnings(f))
    if f.reg_samples_available > f.train_samples > 0:
        out.append(
            f"{f.reg_samples_available} regularisation samples but only {f.train_samples} training samples: "
            "kohya uses just as many reg samples as training samples, the rest are never seen"
        )
    return tuple(out)


def _share_warnings(f: PlanFigures) -> list[str]:
    total = sum(f.concept_samples.values())
    weight_total = sum(f.concept_weights[c] for c in f.concept_samples)
    if total == 0 or len(f.concept_samples) < 2:
        return []
    out = []
    for concept, samples in sorted(f.concept_samples.items()):
        share = samples / total
        fair = f.concept_weights[concept] / weight_total
        if share > fair * SHARE_RATIO or share < fair / SHARE_RATIO:
            out.append(
                f"{concept or '(root)'} gets {share:.0%} of each epoch's samples where its weight asks for {fair:.0%}"
            )
    return out


def _tier_order_warnings(f: PlanFigures) -> list[str]:
    """Guide 003: a more heavily weighted tier (primaries) must contribute more steps than a lighter one."""
    out = []
    for (concept, heavy), heavy_samples in sorted(f.tier_samples.items()):
        for (other_concept, light), light_samples in sorted(f.tier_samples.items()):
            if other_concept != concept or heavy_samples >= light_samples:
                continue
            if tier_weight(heavy, f.tier_weights) > tier_weight(light, f.tier_weights):
                out.append(
                    f"{_group(concept, heavy)} gets {heavy_samples} samples per epoch, fewer than "
                    f"{_group(concept, light)} ({light_samples}): guide 003 gives the heavier tier more total steps; "
                    "raise its repeats or tier weight"
                )
    return out
