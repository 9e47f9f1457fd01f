"""Overlap pruning: drop a tag that a more specific present tag implies (`panties` under `white panties`)."""

from __future__ import annotations

import functools

from loraprep.rules.base import rule, split_by


@functools.lru_cache(maxsize=100_000)
def word_suffixes(name: str) -> tuple[str, ...]:
    """'star hair ornament' -> ('hair ornament', 'ornament'): the tags it would imply."""
    words = name.split(" ")
    return tuple(" ".join(words[cut:]) for cut in range(1, len(words)))


@rule("overlap")
def overlap(tags, ctx):
    """A tag that is a whole-word suffix of another present tag, or that the user's overlap file lists."""
    r = ctx.concept.rules
    if not r.overlap or r.prune_mode == "none":
        return tuple(tags), ()
    names = [t.name for t in tags]
    implied_by: dict[str, str] = {}
    present = set(names)
    for name in names:
        for suffix in word_suffixes(name):
            if suffix in present:
                implied_by.setdefault(suffix, name)
        for implied in ctx.compiled.overlap.get(name, ()):
            if implied in present and implied != name:
                implied_by.setdefault(implied, name)
    return split_by(tags, ctx, "overlap",
                    lambda t: f"implied by '{implied_by[t.name]}'" if t.name in implied_by else None)
