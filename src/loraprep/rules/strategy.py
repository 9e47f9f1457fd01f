"""Strategies (guide 001: all, absorb, only-learned) and guide 002's character prune modes."""

from __future__ import annotations

from loraprep.rules.base import rule, split_by
from loraprep.rules.categories import trait_of


@rule("strategy")
def strategy(tags, ctx):
    """absorb drops the learned traits (the trigger takes them); only-learned keeps nothing else."""
    mode = ctx.concept.strategy
    if mode == "absorb":
        return split_by(tags, ctx, "strategy", lambda t: "absorbed by the trigger" if ctx.learned(t.name) else None,
                        by_name=True)
    if mode == "only-learned":
        return split_by(tags, ctx, "strategy", lambda t: None if ctx.learned(t.name) else "not a learned trait",
                        by_name=True)
    return tuple(tags), ()


@rule("prune_mode")
def prune_mode(tags, ctx):
    """character_core drops the concept's core trait tags; character drops every trait below drop_difficulty."""
    r = ctx.concept.rules
    if r.prune_mode == "character_core":
        return split_by(tags, ctx, "prune_mode",
                        lambda t: "core character trait" if t.name in ctx.core and trait_of(t.name) else None)
    if r.prune_mode == "character":
        def why(t):
            trait = trait_of(t.name)
            return f"character trait ({trait[0]})" if trait and trait[1] < r.drop_difficulty else None
        return split_by(tags, ctx, "prune_mode", why)
    return tuple(tags), ()
