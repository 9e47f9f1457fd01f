"""The rule protocol: one object per rule, compiled per concept into a step that edits a Draft of one image.

The same step runs on Tag records (evidence: ``caption --why``, the editor's chips) and on names alone (bulk
reads: captions, counts, export), so a rule is written once. To add a rule: a file with a Rule subclass, and
its instance in ``pipeline.RULES`` at the place it runs.
"""

from __future__ import annotations

from typing import Callable

from loraprep.rules.context import RuleContext
from loraprep.rules.draft import Draft

Step = Callable[[Draft], None]


class Rule:
    """A curation rule. ``name`` is what evidence shows ("dropped by blacklist")."""

    name: str = ""

    @property
    def rule_name(self) -> str:
        return self.name

    def prepare(self, ctx: RuleContext) -> Step | None:
        """The rule compiled for one concept (its recipe and core tags): a step run on each image's Draft, or
        None when the recipe leaves this rule nothing to do. Per-image facts (the user's removals and tags, the
        shuffle key) are on the Draft, not in ``ctx``."""
        raise NotImplementedError

    def needs_records(self, names: list[str]) -> bool:
        """Whether this rule must see Tag records for an image with these names (the names-only path then runs
        that image on records). Only a rule that merges tags by their provenance needs to."""
        return False

    def __call__(self, tags, ctx: RuleContext):
        """The rule alone on Tag records: (kept, dropped)."""
        compiled = ctx.compiled
        draft = Draft.of_tags(tags, ctx.user_removed, ctx.seed_key, compiled.fixed, compiled.protect or None)
        step = self.prepare(ctx)
        if step is not None:
            step(draft)
        return tuple(draft.tags), tuple(draft.dropped)

    def __repr__(self) -> str:
        return f"<rule {self.name}>"


def memoised(memo: dict, names: list[str], decide: Callable[[str], object]) -> list:
    """``decide(name)`` for each name, each decided once per memo (a concept's names recur on every image)."""
    try:
        return [memo[n] for n in names]
    except KeyError:  # a name this memo has not met yet
        for n in names:
            if n not in memo:
                memo[n] = decide(n)
        return [memo[n] for n in names]


class ByName(Rule):
    """A rule whose verdict on a tag depends on its name alone (and the concept): subclasses give ``why_for``.

    Each name is decided once per concept and remembered, since the same few thousand names recur on every image.
    """

    def why_for(self, ctx: RuleContext) -> Callable[[str], str | None] | None:
        """Per tag name: why this rule drops it, or None; None instead of a function when it drops nothing."""
        raise NotImplementedError

    def prepare(self, ctx: RuleContext) -> Step | None:
        why = self.why_for(ctx)
        if why is None:
            return None
        memo, name = ctx.verdicts(self.name), self.name

        def step(draft: Draft) -> None:
            draft.drop(name, memoised(memo, draft.names, why))
        return step
