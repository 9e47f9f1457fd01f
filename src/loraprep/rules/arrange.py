"""Rules that arrange the caption: trigger and fixed slots first, the user's front tags, people-count tags early,
sort, max_tags."""

from __future__ import annotations

import functools
import hashlib
import re
from operator import ge

from loraprep.rules.base import Rule

PEOPLE = re.compile(r"^(solo|multiple (girls|boys|others)|\d+\+?(girl|boy|other)s?|no humans)$")


class Trigger(Rule):
    """Trigger word(s) then the fixed slot, first and once; the user removing one on an image wins there."""

    name = "trigger"

    def prepare(self, ctx):
        every = ctx.compiled.slot_tags
        if not every:
            return None
        every_names, every_set = tuple(t.name for t in every), frozenset(t.name for t in every)

        def step(draft) -> None:
            removed = draft.removed
            if not removed or removed.isdisjoint(every_set):
                draft.put_first(every, every_names, every_set)  # a tagged or user copy keeps its own evidence
                return
            slots = tuple(t for t in every if t.name not in removed)
            if slots:
                names = tuple(t.name for t in slots)
                draft.put_first(slots, names, frozenset(names))
        return step


trigger = Trigger()

@functools.lru_cache(maxsize=200_000)
def _name_hash(name: str) -> int:
    return int.from_bytes(hashlib.blake2b(name.encode(), digest_size=8).digest(), "little")


def shuffle_name_keys(seed: int, seed_key: str):
    """The shuffle's sort key for a tag name on one image."""
    image = _name_hash(f"{seed}\0{seed_key}")
    return lambda name: ((_name_hash(name) ^ image) * 0x9E3779B97F4A7C15) & 0xFFFFFFFFFFFFFFFF


class Order(Rule):
    """Fixed slots stay first; then what the user added at the front; then 1girl/1boy/solo/Ngirls (guide 002);
    then the recipe's sort mode."""

    name = "order"

    def prepare(self, ctx):
        fixed, r = ctx.compiled.fixed, ctx.concept.rules
        mode, seed = r.order, r.seed

        def step(draft) -> None:
            names, scores = draft.names, draft.scores
            n_fixed = 0
            for n in names:
                if n not in fixed:
                    break
                n_fixed += 1
            body = range(n_fixed, len(names))
            if mode == "score":
                tail = scores[n_fixed:]
                # Already highest first (the tagger's order): a stable sort would change nothing.
                if None in tail or not all(map(ge, tail, tail[1:])):
                    body = sorted(body, key=lambda i: -1.0 if scores[i] is None else -scores[i])
            elif mode == "alphabetical":
                body = sorted(body, key=names.__getitem__)
            elif mode == "shuffle":
                key = shuffle_name_keys(seed, draft.seed_key)
                body = sorted(body, key=lambda i: key(names[i]))
            # People-count tags move to the front; both parts keep the mode's order (a stable partition). Tags
            # the user added at the front go before them.
            people = people_names(names[n_fixed:])
            if people:
                body = [i for i in body if names[i] in people] + [i for i in body if names[i] not in people]
            front = draft.front
            if front and not front.isdisjoint(names):
                body = [i for i in body if names[i] in front] + [i for i in body if names[i] not in front]
            if not isinstance(body, range):
                draft.keep([*range(n_fixed), *body])
        return step


order = Order()

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


class MaxTags(Rule):
    """At most max_tags: the least confident go first; fixed, protected and user tags always stay."""

    name = "max_tags"

    def prepare(self, ctx):
        limit = ctx.concept.rules.max_tags

        def step(draft) -> None:
            names = draft.names
            if len(names) <= limit:
                return
            candidates = draft.open_confidences()
            candidates.sort()  # least confident first; equal scores by name, so the cut never depends on the order
            cut = {n: c for c, n in candidates[:len(names) - limit]}
            gone = [i for i, n in enumerate(names) if n in cut]
            draft.drop_rows("max_tags", gone, [f"over {limit} tags, confidence {cut[names[i]]:.2f}" for i in gone])
        return step


max_tags = MaxTags()
