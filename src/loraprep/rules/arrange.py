"""Rules that arrange the caption: trigger and fixed slots first, people-count tags early, sort, max_tags."""

from __future__ import annotations

import hashlib
import re

from loraprep.model.tags import Dropped, Tag
from loraprep.rules.base import rule

PEOPLE = re.compile(r"^(solo|multiple (girls|boys|others)|\d+\+?(girl|boy|other)s?|no humans)$")


@rule("trigger")
def trigger(tags, ctx):
    """Trigger word(s) then the fixed slot, first and once; the user removing one on an image wins there."""
    fixed = [n for n in ctx.concept.fixed_tags if n not in ctx.user_removed]
    existing = {t.name: t for t in tags}
    head = []
    for i, name in enumerate(fixed):
        kind = "trigger" if name in ctx.concept.trigger else "fixed"
        head.append(existing.get(name) or Tag(name=name, category=kind, score=None, source="rule",
                                              origin=f"rule:{kind}"))
    rest = tuple(t for t in tags if t.name not in fixed)
    return tuple(head) + rest, ()


def _confidence(tag: Tag) -> float:
    # A caption file or a person said so: rank those with the most confident tagger tags.
    return 1.0 if tag.score is None else tag.score


def _shuffle_key(seed: int, key: str, name: str) -> bytes:
    # A hash, not random.shuffle: the order depends only on (seed, image, tag), so re-running never reshuffles.
    return hashlib.blake2b(f"{seed}\0{key}\0{name}".encode(), digest_size=8).digest()


@rule("order")
def order(tags, ctx):
    """Fixed slots stay first; then 1girl/1boy/solo/Ngirls (guide 002); then the recipe's sort mode."""
    n_fixed = _fixed_count(tags, ctx)
    head, body = list(tags[:n_fixed]), list(tags[n_fixed:])
    mode = ctx.concept.rules.order
    if mode == "score":
        body.sort(key=lambda t: -_confidence(t))
    elif mode == "alphabetical":
        body.sort(key=lambda t: t.name)
    elif mode == "shuffle":
        body.sort(key=lambda t: _shuffle_key(ctx.concept.rules.seed, ctx.seed_key, t.name))
    body.sort(key=lambda t: 0 if PEOPLE.match(t.name) else 1)  # stable: keeps the mode's order within each part
    return tuple(head + body), ()


def _fixed_count(tags, ctx) -> int:
    fixed = set(ctx.concept.fixed_tags)
    count = 0
    for tag in tags:
        if tag.name not in fixed:
            break
        count += 1
    return count


@rule("max_tags")
def max_tags(tags, ctx):
    """At most max_tags: the least confident go first; fixed, protected and user tags always stay."""
    limit = ctx.concept.rules.max_tags
    if len(tags) <= limit:
        return tuple(tags), ()
    candidates = sorted((t for t in tags if not ctx.protected(t)), key=lambda t: (_confidence(t), t.name))
    excess = len(tags) - limit
    cut = {t.name for t in candidates[:excess]}
    kept = tuple(t for t in tags if t.name not in cut)
    dropped = tuple(Dropped(t, "max_tags", f"over {limit} tags, confidence {_confidence(t):.2f}")
                    for t in tags if t.name in cut)
    return kept, dropped
