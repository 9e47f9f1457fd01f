"""Rules that arrange the caption: trigger and fixed slots first, the user's front tags, people-count tags early,
sort, max_tags."""

from __future__ import annotations

import functools
import hashlib
import operator
import re

from loraprep.model.tags import FRONT, Dropped, Tag
from loraprep.rules.base import rule

PEOPLE = re.compile(r"^(solo|multiple (girls|boys|others)|\d+\+?(girl|boy|other)s?|no humans)$")


@rule("trigger")
def trigger(tags, ctx):
    """Trigger word(s) then the fixed slot, first and once; the user removing one on an image wins there."""
    slots = ctx.compiled.slot_tags
    if ctx.user_removed:
        slots = tuple(t for t in slots if t.name not in ctx.user_removed)
    if not slots:
        return tuple(tags), ()
    fixed = ctx.compiled.fixed if len(slots) == len(ctx.compiled.slot_tags) else {t.name for t in slots}
    existing = {t.name: t for t in tags if t.name in fixed}  # a tagged or user copy keeps its own evidence
    head = tuple(existing.get(slot.name, slot) for slot in slots)
    rest = tuple([t for t in tags if t.name not in fixed])
    return head + rest, ()


def _confidence(tag: Tag) -> float:
    # A caption file or a person said so: rank those with the most confident tagger tags.
    return 1.0 if tag.score is None else tag.score


@functools.lru_cache(maxsize=200_000)
def _name_hash(name: str) -> int:
    return int.from_bytes(hashlib.blake2b(name.encode(), digest_size=8).digest(), "little")


def _shuffle_keys(seed: int, seed_key: str):
    # A hash, not random.shuffle: the order depends only on (seed, image, tag), so re-running never reshuffles,
    # and dropping a tag leaves the others' order alone. The tag's hash is computed once per name; per image
    # it is mixed with the image's hash by one odd multiply (a bijection that scrambles the order).
    by_name = shuffle_name_keys(seed, seed_key)
    return lambda t: by_name(t.name)


def shuffle_name_keys(seed: int, seed_key: str):
    """The shuffle's sort key for a tag name on one image."""
    image = _name_hash(f"{seed}\0{seed_key}")
    return lambda name: ((_name_hash(name) ^ image) * 0x9E3779B97F4A7C15) & 0xFFFFFFFFFFFFFFFF


@rule("order")
def order(tags, ctx):
    """Fixed slots stay first; then what the user added at the front; then 1girl/1boy/solo/Ngirls (guide 002);
    then the recipe's sort mode."""
    n_fixed = _fixed_count(tags, ctx)
    head, body = list(tags[:n_fixed]), list(tags[n_fixed:])
    mode = ctx.concept.rules.order
    if mode == "score":
        body.sort(key=_negative_confidence)
    elif mode == "alphabetical":
        body.sort(key=_name)
    elif mode == "shuffle":
        body.sort(key=_shuffle_keys(ctx.concept.rules.seed, ctx.seed_key))
    # People-count tags move to the front; both parts keep the mode's order (a stable partition). Tags the user
    # added at the front go before them.
    people = people_names([t.name for t in body])
    if people:
        body = [t for t in body if t.name in people] + [t for t in body if t.name not in people]
    if any(t.origin == FRONT for t in body):
        body = [t for t in body if t.origin == FRONT] + [t for t in body if t.origin != FRONT]
    return tuple(head + body), ()


_SEEN: set[str] = set()     # names classified so far (a memo: never changes an answer)
_PEOPLE: set[str] = set()   # those of them that count people (1girl, solo, 3boys, ...)


def people_names(names: list[str]) -> set[str]:
    """The people-count names among ``names`` (empty when none): set lookups, no regex once a name is known."""
    if not _SEEN.issuperset(names):
        if len(_SEEN) > 1_000_000:
            _SEEN.clear()
            _PEOPLE.clear()
        for name in names:
            if name not in _SEEN:
                _SEEN.add(name)
                if PEOPLE.match(name):
                    _PEOPLE.add(name)
    return set() if _PEOPLE.isdisjoint(names) else _PEOPLE.intersection(names)


def _negative_confidence(tag: Tag) -> float:
    return -1.0 if tag.score is None else -tag.score


_name = operator.attrgetter("name")


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
    # ctx.protected(), inlined (40 tags per image); an empty protect list is skipped, not asked 40 times
    fixed, protect = ctx.compiled.fixed, (ctx.compiled.protect or None)
    candidates = [(1.0 if t.score is None else t.score, t.name) for t in tags
                  if not (t.pinned or t.source == "user" or t.name in fixed
                          or (protect is not None and t.name in protect))]
    candidates.sort()  # least confident first; equal scores by name, so the cut never depends on the order
    cut = {name for _, name in candidates[:len(tags) - limit]}
    kept = tuple([t for t in tags if t.name not in cut])
    dropped = tuple([Dropped(t, "max_tags", f"over {limit} tags, confidence {_confidence(t):.2f}")
                     for t in tags if t.name in cut])
    return kept, dropped
