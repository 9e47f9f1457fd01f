"""The rule protocol: a pure function (tags, context) -> (kept, dropped), stamped with its name."""

from __future__ import annotations

from typing import Callable

from loraprep.model.tags import Dropped, Tag
from loraprep.rules.context import RuleContext

Tags = tuple[Tag, ...]
RuleFn = Callable[[Tags, RuleContext], "tuple[Tags, tuple[Dropped, ...]]"]


def rule(name: str):
    """Stamp a rule function with the name that evidence shows ("dropped by blacklist")."""
    def wrap(fn: RuleFn) -> RuleFn:
        fn.rule_name = name
        return fn
    return wrap


def split_by(tags: Tags, ctx: RuleContext, name: str, drop: Callable[[Tag], str | None], *,
             by_name: bool = False):
    """Keep tags for which ``drop`` returns None; protected tags are always kept.

    ``by_name`` says the verdict depends on the tag's name alone (and the concept): it is then remembered for
    every image of the concept, since the same few thousand names recur on every image.
    """
    kept, dropped = [], []
    memo = ctx.verdicts(name) if by_name else None
    for tag in tags:
        if memo is None:
            why = drop(tag)
        else:
            why = memo.get(tag.name, _UNSEEN)
            if why is _UNSEEN:
                why = memo[tag.name] = drop(tag)
        if why is None or ctx.protected(tag):  # drop() first: most tags stay, and protection costs more
            kept.append(tag)
        else:
            dropped.append(Dropped(tag, name, why))
    return tuple(kept), tuple(dropped)


_UNSEEN = object()
