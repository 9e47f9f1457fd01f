"""The rule protocol: a pure function (tags, context) -> (kept, dropped), stamped with its name."""

from __future__ import annotations

from typing import Callable, Mapping

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
    if not by_name:
        return _split(tags, ctx, name, [drop(t) for t in tags])
    memo = ctx.verdicts(name)
    try:
        whys = [memo[t.name] for t in tags]
    except KeyError:  # a name this concept has not met yet: decide it once
        for tag in tags:
            if tag.name not in memo:
                memo[tag.name] = drop(tag)
        whys = [memo[t.name] for t in tags]
    return _split(tags, ctx, name, whys)


def split_named(tags: Tags, ctx: RuleContext, name: str, why_of: Mapping[str, str]):
    """Drop the tags whose names ``why_of`` gives a reason for, unless protected."""
    get = why_of.get
    return _split(tags, ctx, name, [get(t.name) for t in tags])


def _split(tags: Tags, ctx: RuleContext, name: str, whys: list):
    if whys.count(None) == len(whys):  # the usual answer: nothing to drop, so no lists to build
        return tuple(tags), ()
    protected = ctx.protected
    kept, dropped = [], []
    for tag, why in zip(tags, whys):
        if why is None or protected(tag):  # the verdict first: most tags stay, and protection costs more
            kept.append(tag)
        else:
            dropped.append(Dropped(tag, name, why))
    return tuple(kept), tuple(dropped)

