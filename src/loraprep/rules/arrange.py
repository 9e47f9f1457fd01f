"""Rules that arrange the caption: trigger and fixed slots first, people-count tags early, sort, max_tags."""

from __future__ import annotations

import functools
import hashlib
import heapq
import re

from loraprep.model.tags import Dropped, Tag
from loraprep.rules.base import rule

PEOPLE = re.compile(r"^(solo|multiple (girls|boys|others)|\d+\+?(girl|boy|other)s?|no humans)$")


@functools.lru_cache(maxsize=65536)
def _people_rank(name: str) -> int:
    return 0 if PEOPLE.match(name) else 1


@rule("trigger")
def trigger(tags, ctx):
    """Trigger word(s) then the fixed slot, first and once; the user removing one on an image wins there."""
    fixed = [n for n in ctx.concept.fixed_tags if n not in ctx.user_removed]
    if not fixed:
        return tuple(tags), ()
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


def _shuffle_keys(prefix: bytes):
    # A hash, not random.shuffle: the order depends only on (seed, image, tag), so re-running never reshuffles,
    # and dropping a tag leaves the others' order alone.
    blake2b = hashlib.blake2b
    return lambda name: blake2b(prefix + name.encode(), digest_size=8).digest()


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
        key = _shuffle_keys(f"{ctx.concept.rules.seed}\0{ctx.seed_key}\0".encode())
        body.sort(key=lambda t: key(t.name))
    body.sort(key=lambda t: _people_rank(t.name))  # stable: keeps the mode's order within each part
    return tuple(head + body), ()


def _fixed_count(tags, ctx) -> int:
    fixed = ctx.compiled.fixed
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
    protected = ctx.protected
    candidates = [(1.0 if t.score is None else t.score, t.name) for t in tags if not protected(t)]
    cut = {name for _, name in heapq.nsmallest(len(tags) - limit, candidates)}
    kept = tuple(t for t in tags if t.name not in cut)
    dropped = tuple(Dropped(t, "max_tags", f"over {limit} tags, confidence {_confidence(t):.2f}")
                    for t in tags if t.name in cut)
    return kept, dropped
