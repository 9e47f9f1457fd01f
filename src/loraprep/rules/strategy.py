"""Strategies (guide 001: all, absorb, only-learned) and guide 002's character prune modes."""

from __future__ import annotations

from loraprep.rules.base import rule, split_by
from loraprep.rules.categories import trait_of


@rule("strategy")
def strategy(tags, ctx):
    """absorb drops the learned traits (the trigger takes them); only-learned keeps nothing else."""
    why = strategy_why(ctx)
    return (tuple(tags), ()) if why is None else split_by(tags, ctx, "strategy", why, by_name=True)


def strategy_why(ctx):
    """Per tag name: why the concept's strategy drops it, or None; None instead of a function for ``all``."""
    mode = ctx.concept.strategy
    if mode == "absorb":
        return lambda name: "absorbed by the trigger" if ctx.learned(name) else None
    if mode == "only-learned":
        return lambda name: None if ctx.learned(name) else "not a learned trait"
    return None


@rule("prune_mode")
def prune_mode(tags, ctx):
    """character_core drops the concept's core trait tags; character drops every trait below drop_difficulty."""
    why = prune_why(ctx)
    return (tuple(tags), ()) if why is None else split_by(tags, ctx, "prune_mode", lambda t: why(t.name))


def prune_why(ctx):
    """Per tag name: why guide 002's prune mode drops it, or None; None instead of a function for the others."""
    r = ctx.concept.rules
    if r.prune_mode == "character_core":
        return lambda name: "core character trait" if name in ctx.core and trait_of(name) else None
    if r.prune_mode == "character":
        def why(name):
            trait = trait_of(name)
            return f"character trait ({trait[0]})" if trait and trait[1] < r.drop_difficulty else None
        return why
    return None
