"""Overlap pruning: drop a tag that a more specific present tag implies (`panties` under `white panties`)."""

from __future__ import annotations

import functools
from itertools import chain

from loraprep.rules.base import Rule


@functools.lru_cache(maxsize=100_000)
def word_suffixes(name: str) -> tuple[str, ...]:
    """'star hair ornament' -> ('hair ornament', 'ornament'): the tags it would imply."""
    words = name.split(" ")
    return tuple(" ".join(words[cut:]) for cut in range(1, len(words)))


class Overlap(Rule):
    """A tag that is a whole-word suffix of another present tag, or that the user's overlap file lists.

    The trigger and fixed slots count as present even before the trigger rule places them: they will be in the
    caption, so "school uniform" in the fixed slot implies "uniform" whether or not the tagger saw it.
    """

    name = "overlap"

    def prepare(self, ctx):
        r = ctx.concept.rules
        if not r.overlap or r.prune_mode == "none":
            return None
        fixed_tags, pairs = ctx.concept.fixed_tags, ctx.compiled.overlap

        def step(draft) -> None:
            implied_by = implied_tags(draft.names, fixed_tags, draft.removed, pairs)
            if implied_by:
                draft.drop("overlap", [f"implied by '{implied_by[n]}'" if n in implied_by else None
                                       for n in draft.names])
        return step


overlap = Overlap()

def implied_tags(names: list[str], fixed_tags, removed, pairs: dict) -> dict[str, str]:
    """Each present name that a more specific present name implies, with that name (empty: the usual image).

    The trigger and fixed slots count as present: they will be in the caption.
    """
    present = set(names)
    implying = names + [n for n in fixed_tags if n not in present and n not in removed]
    present.update(implying)
    if not pairs and present.isdisjoint(chain.from_iterable(map(word_suffixes, implying))):
        return {}  # no tag is a suffix of another (checked without a Python loop)
    implied_by: dict[str, str] = {}
    for name in implying:
        for suffix in word_suffixes(name):
            if suffix in present and suffix not in implied_by:
                implied_by[suffix] = name
        if pairs:
            for implied in pairs.get(name, ()):
                # Two tags that imply each other (a user file may say so) keep the first one: never drop both.
                if implied in present and implied != name and implied_by.get(name) != implied:
                    implied_by.setdefault(implied, name)
    return implied_by
