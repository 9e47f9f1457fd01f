"""Overlap pruning: drop a tag contained in a more specific present tag (`holding` beside `holding cup`)."""

from __future__ import annotations

import functools
import re
from itertools import chain

from loraprep.rules.base import Rule

_WORD_GAP = re.compile(r" |(?<=\w)-(?=\w)")  # words part at a space, or at a hyphen inside a word (t-shirt)


@functools.lru_cache(maxsize=100_000)
def contained_tags(name: str) -> tuple[str, ...]:
    """The tags ``name`` contains: every shorter run of its whole words, in order, spelled as in ``name``.

    'star hair ornament' -> ('star', 'star hair', 'hair', 'hair ornament', 'ornament'); 't-shirt' -> ('t',
    'shirt'). Guide 002 drops "tags that are sub-string of other tags"; whole words keep `hat` beside
    `hatsune miku`. A tag with a parenthesised qualifier (`kafka (honkai: star rail)`, `bow (weapon)`) names a
    character, a series or another sense of a word: it contains nothing, so it never makes a general tag vanish.
    """
    if "(" in name:
        return ()
    cuts = [0]
    for gap in _WORD_GAP.finditer(name):
        cuts += [gap.start(), gap.end()]
    cuts.append(len(name))
    spans = [(cuts[i], cuts[i + 1]) for i in range(0, len(cuts), 2)]  # (start, end) of each word
    words = len(spans)
    return tuple(dict.fromkeys(name[spans[a][0]:spans[b][1]] for a in range(words) for b in range(a, words)
                               if b - a < words - 1))


class Overlap(Rule):
    """A tag contained in another present tag (whole words, in order), or one the user's overlap file lists.

    The user's file wins: a tag it names as a key implies exactly what it lists (``"cat ears": []`` keeps `cat`
    beside `cat ears`). ``protect`` and the user's own tags never fall (Draft.drop). The trigger and fixed slots
    count as present even before the trigger rule places them: they will be in the caption, so "school uniform"
    in the fixed slot implies "uniform" whether or not the tagger saw it.
    """

    name = "overlap"

    def prepare(self, ctx):
        r = ctx.concept.rules
        if not r.overlap or r.prune_mode == "none":
            return None
        fixed_tags, pairs = ctx.concept.fixed_tags, ctx.compiled.overlap

        def step(draft) -> None:
            implied_by = implied_tags(draft.names, fixed_tags, draft.removed, pairs, draft.categories)
            if implied_by:
                draft.drop("overlap", [f"implied by '{implied_by[n]}'" if n in implied_by else None
                                       for n in draft.names])
        return step


overlap = Overlap()


def implies(name: str, pairs: dict) -> tuple[str, ...] | frozenset:
    """What one present tag implies: the user's file's word for it, else the tags it contains."""
    listed = pairs.get(name) if pairs else None
    return contained_tags(name) if listed is None else listed


NAMES_ONLY = frozenset({"character", "copyright", "artist"})  # a name, not a description: `red hood` keeps `hood`


def implied_tags(names: list[str], fixed_tags, removed, pairs: dict, categories=None) -> dict[str, str]:
    """Each present name that a more specific present name implies, with that name (empty: the usual image).

    The trigger and fixed slots count as present: they will be in the caption. A character, copyright or
    artist tag (``categories``: name -> category) implies nothing unless the user's file says so: its words
    name someone, they do not describe the picture.
    """
    present = set(names)
    implying = names + [n for n in fixed_tags if n not in present and n not in removed]
    present.update(implying)
    if categories:
        implying = [n for n in implying if categories.get(n) not in NAMES_ONLY or (pairs and n in pairs)]
    if not pairs and present.isdisjoint(chain.from_iterable(map(contained_tags, implying))):
        return {}  # no tag is contained in another (checked without a Python loop)
    implied_by: dict[str, str] = {}
    for name in implying:
        for implied in implies(name, pairs):
            # Two tags that imply each other (a user file may say so) keep the first one: never drop both.
            if implied in present and implied != name and implied_by.get(name) != implied:
                implied_by.setdefault(implied, name)
    return implied_by
