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


def split_by(tags: Tags, ctx: RuleContext, name: str, drop: Callable, *, by_name: bool = False):
    """Keep tags for which ``drop`` returns None; protected tags are always kept.

    ``by_name`` says the verdict depends on the tag's name alone (and the concept): ``drop`` is then given the
    name, and its answer is remembered for every image of the concept, since the same few thousand names recur
    on every image. Otherwise ``drop`` is given the Tag.
    """
    if not by_name:
        return _split(tags, ctx, name, [drop(t) for t in tags])
    return _split(tags, ctx, name, memoised(ctx.verdicts(name), [t.name for t in tags], drop))


def memoised(memo: dict, names: list[str], decide: Callable[[str], object]) -> list:
    """``decide(name)`` for each name, each decided once per memo (a concept's names recur on every image)."""
    try:
        return [memo[n] for n in names]
    except KeyError:  # a name this memo has not met yet
        for n in names:
            if n not in memo:
                memo[n] = decide(n)
        return [memo[n] for n in names]


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

