"""Rules that arrange the caption: trigger and fixed slots first, the user's front tags, people-count tags early,
sort, max_tags."""

from __future__ import annotations

import functools
import hashlib
import re
from operator import ge

from loraprep.model.tagname import display_name
from loraprep.rules.base import Rule

PEOPLE = re.compile(r"^(solo|multiple (girls|boys|others)|\d+\+?(girl|boy|other)s?|no humans)$")


class Trigger(Rule):
    """Trigger word(s) then the fixed slot, first and once, spelled as the recipe writes them (a tag that is the
    same word in stored spelling, ``haileygrice`` for ``HaileyGrice``, becomes it); the user removing one on an
    image wins there."""

    name = "trigger"

    def prepare(self, ctx):
        every = ctx.compiled.slot_tags
        if not every:
            return None
        every_names, every_set = tuple(t.name for t in every), frozenset(t.name for t in every)
        stored = {display_name(n): n for n in every_names if display_name(n) != n}  # stored spelling -> as written

        def step(draft) -> None:
            removed = draft.removed
            if stored and not stored.keys().isdisjoint(draft.names):
                respell(draft, stored)
            if not removed or (removed.isdisjoint(every_set) and removed.isdisjoint(stored)):
                draft.put_first(every, every_names, every_set)  # a tagged or user copy keeps its own evidence
                return
            slots = tuple(t for t in every if t.name not in removed and display_name(t.name) not in removed)
            if slots:
                names = tuple(t.name for t in slots)
                draft.put_first(slots, names, frozenset(names))
        return step


def respell(draft, stored: dict[str, str]) -> None:
    """Rows whose name is a slot word in stored spelling take the word as the recipe writes it."""
    names = draft.names
    rows: dict[str, tuple[int, str | None]] = {}
    for i, name in enumerate(names):
        written = stored.get(name)
        if written is None:
            rows.setdefault(name, (i, None))
        elif written in rows or written in names:
            draft.drop_row(i, "trigger", f"the same word as {written!r}, already here")
        else:
            rows[written] = (i, f"{draft.origin_at(i)}; as the recipe writes it")
    draft.rename(rows)


trigger = Trigger()

@functools.lru_cache(maxsize=200_000)
def _name_hash(name: str) -> int:
    return int.from_bytes(hashlib.blake2b(name.encode(), digest_size=8).digest(), "little")


def shuffle_name_keys(seed: int, seed_key: str):
    """The shuffle's sort key for a tag name on one image."""
    image = _name_hash(f"{seed}\0{seed_key}")
    return lambda name: ((_name_hash(name) ^ image) * 0x9E3779B97F4A7C15) & 0xFFFFFFFFFFFFFFFF


class Order(Rule):
    """Fixed slots stay first; then what the user added at the front; then guide 002's caption ordering: the
    people count (1girl, solo, 2girls), the character, the copyright; then the rest in the recipe's sort mode."""

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
            # Guide 002's caption_ordering (npeople, character, copyright, tags): each group keeps the mode's
            # order (a stable partition). Tags the user added at the front go before them all.
            rank = early_ranks(names[n_fixed:], draft.categories)
            if rank:
                body = sorted(body, key=lambda i: rank.get(names[i], LATE))
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


# Guide 002's caption_ordering puts these first, in this order: people count, character, copyright.
EARLY_CATEGORIES = {"character": 1, "copyright": 2}
LATE = 3


def early_ranks(names: list[str], categories) -> dict[str, int]:
    """Rank of each name that leads the caption (0 people count, 1 character, 2 copyright); empty when none.
    ``categories`` maps a name to its tagger category (None: unknown, so only people counts lead)."""
    rank = dict.fromkeys(people_names(names), 0)
    if categories:
        get = categories.get
        for name in names:
            found = EARLY_CATEGORIES.get(get(name))
            if found is not None and name not in rank:
                rank[name] = found
    return rank


class MaxTags(Rule):
    """At most max_tags: cut from the end of the caption as ordered (guide 002 sorts, then limits), so the
    order decides what stays; the trigger, fixed slots, people counts, protected and user tags always stay."""

    name = "max_tags"

    def prepare(self, ctx):
        limit = ctx.concept.rules.max_tags

        def step(draft) -> None:
            names = draft.names
            over = len(names) - limit
            if over <= 0:
                return
            people = people_names(names)
            gone = []
            for i in range(len(names) - 1, -1, -1):
                if names[i] not in people and not draft.protected(names[i]):
                    gone.append(i)
                    if len(gone) == over:
                        break
            gone.reverse()
            draft.drop_rows("max_tags", gone, [f"over {limit} tags, #{i + 1} in caption order" for i in gone])
        return step


max_tags = MaxTags()
