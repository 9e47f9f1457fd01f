"""Strategies (guide 001: all, absorb, only-learned) and guide 002's character prune modes."""

from __future__ import annotations

from loraprep.rules.base import ByName
from loraprep.rules.categories import trait_of


class Strategy(ByName):
    """absorb drops the learned traits (the trigger takes them); only-learned keeps nothing else."""

    name = "strategy"

    def why_for(self, ctx):
        return strategy_why(ctx)


strategy = Strategy()

def strategy_why(ctx):
    """Per tag name: why the concept's strategy drops it, or None; None instead of a function for ``all``."""
    mode = ctx.concept.strategy
    if mode == "absorb":
        return lambda name: "absorbed by the trigger" if ctx.learned(name) else None
    if mode == "only-learned":
        return lambda name: None if ctx.learned(name) else "not a learned trait"
    return None


class PruneMode(ByName):
    """character_core drops the concept's core trait tags; character drops every trait below drop_difficulty."""

    name = "prune_mode"

    def why_for(self, ctx):
        return prune_why(ctx)


prune_mode = PruneMode()

def prune_why(ctx):
    """Per tag name: why guide 002's prune mode drops it, or None; None instead of a function for the others."""
    r = ctx.concept.rules
    if r.drop_all_core:  # guide 002's --drop_all_core: every core tag, whatever its difficulty
        return lambda name: "core tag (drop_all_core)" if name in ctx.core else None
    if r.prune_mode == "character_core":
        return lambda name: "core character trait" if name in ctx.core and trait_of(name) else None
    if r.prune_mode == "character":
        def why(name):
            trait = trait_of(name)
            return f"character trait ({trait[0]})" if trait and trait[1] < r.drop_difficulty else None
        return why
    return None
