"""Overlap pruning: drop a tag that a more specific present tag implies (`panties` under `white panties`)."""

from __future__ import annotations

from loraprep.rules.base import rule, split_by


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
        words = name.split(" ")
        for cut in range(1, len(words)):
            suffix = " ".join(words[cut:])
            if suffix in present:
                implied_by.setdefault(suffix, name)
        for implied in ctx.compiled.overlap.get(name, ()):
            if implied in present and implied != name:
                implied_by.setdefault(implied, name)
    return split_by(tags, ctx, "overlap",
                    lambda t: f"implied by '{implied_by[t.name]}'" if t.name in implied_by else None)
