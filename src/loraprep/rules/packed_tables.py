"""Each rule's per-name decisions for one concept as arrays over a tag-name vocabulary (the packed path's input).

A rule that decides a tag by its name alone (blacklist, strategy, prune mode), overlap's implications, the
order's early ranks, max_tags' protection: every one is a function of (recipe, core tags, name). The packed path
asks each once per name here and then applies them to many images at once with array lookups.
"""

from __future__ import annotations

import numpy as np

from loraprep.model.recipe import ConceptRecipe
from loraprep.model.tagname import display_name
from loraprep.rules.arrange import EARLY_CATEGORIES, LATE, PEOPLE
from loraprep.rules.base import ByName
from loraprep.rules.context import RuleContext
from loraprep.rules.overlap import NAMES_ONLY, implies


class Vocabulary:
    """Tag names numbered in the order first met: images become arrays of these numbers."""

    def __init__(self):
        self.names: list[str] = []
        self.index: dict[str, int] = {}

    def ids(self, names) -> list[int]:
        index, known = self.index, self.names
        out = []
        for name in names:
            found = index.get(name)
            if found is None:
                found = index[name] = len(known)
                known.append(name)
            out.append(found)
        return out

    def __len__(self) -> int:
        return len(self.names)


class ConceptTables:
    """One concept's rules compiled over a vocabulary: per name id, what each rule says."""

    def __init__(self, concept: ConceptRecipe, core: frozenset, rules: tuple, vocab: Vocabulary,
                 categories: dict | None):
        ctx = RuleContext(concept, core)
        compiled = ctx.compiled
        self.concept, self.vocab, self.categories = concept, vocab, categories or None
        self.slots = tuple((t.name, t.origin) for t in compiled.slot_tags)
        self.slot_ids = np.array(vocab.ids(n for n, _o in self.slots), dtype=np.int64)
        self.fixed_ids = np.array(vocab.ids(concept.fixed_tags), dtype=np.int64)
        names = vocab.names  # complete now: the slots are in it
        size = len(names)
        # Names the packed path leaves to the per-image engine: unclean spellings (normalise renames them),
        # alias sources (aliases rename them), a slot word in stored spelling (trigger respells it).
        stored = {display_name(n) for n, _o in self.slots if display_name(n) != n}
        alias_of = compiled.alias_of if compiled.aliases else None
        self.defer = np.fromiter((not n or display_name(n) != n or n in stored
                                  or (alias_of is not None and alias_of(n) not in (None, n)) for n in names),
                                 dtype=bool, count=size)
        fixed, protect = compiled.fixed, compiled.protect
        self.protected = np.fromiter((n in fixed or (bool(protect) and n in protect) for n in names),
                                     dtype=bool, count=size)
        self.in_fixed = np.fromiter((n in fixed for n in names), dtype=bool, count=size)
        self.people = np.fromiter((PEOPLE.match(n) is not None for n in names), dtype=bool, count=size)
        get = self.categories.get if self.categories else (lambda _n: None)
        self.rank = np.fromiter((0 if p else EARLY_CATEGORIES.get(get(n), LATE) for n, p in zip(names, self.people)),
                                dtype=np.int8, count=size)
        self.by_name = {rule.name: self._whys(rule, ctx, names) for rule in rules if isinstance(rule, ByName)}
        r = concept.rules
        self.overlap = bool(r.overlap) and r.prune_mode != "none"
        self.mutual = np.zeros(size, dtype=bool)
        if self.overlap:
            self._implications(compiled.overlap, names)

    @staticmethod
    def _whys(rule: ByName, ctx: RuleContext, names: list[str]):
        """(per id: 0 kept or 1 + index of its why, the whys) for one by-name rule; None when it drops nothing."""
        why = rule.why_for(ctx)
        if why is None:
            return None
        texts: dict[str, int] = {}
        codes = np.zeros(len(names), dtype=np.int32)
        for i, name in enumerate(names):
            said = why(name)
            if said is not None:
                codes[i] = texts.setdefault(said, len(texts)) + 1
        return codes, list(texts)

    def _implications(self, pairs: dict, names: list[str]) -> None:
        """Overlap's relation as CSR arrays (implier id -> implied ids in the vocabulary), which ids may imply
        (a character, copyright or artist name only by the user's file), and ids in a pair implying each other
        (the per-image engine settles those: the first met wins)."""
        index, categories = self.vocab.index, self.categories
        starts, targets = [0], []
        for name in names:
            targets.extend(index[t] for t in implies(name, pairs) if t in index and t != name)
            starts.append(len(targets))
        self.rel_start = np.array(starts, dtype=np.int64)
        self.rel_target = np.array(targets, dtype=np.int64)
        self.may_imply = np.fromiter((not categories or categories.get(n) not in NAMES_ONLY or bool(pairs and n in pairs)
                                      for n in names), dtype=bool, count=len(names))
        if pairs:
            source = np.repeat(np.arange(len(names)), np.diff(self.rel_start))
            edges = set(zip(source.tolist(), self.rel_target.tolist()))
            for a, b in edges:
                if (b, a) in edges:
                    self.mutual[a] = self.mutual[b] = True

    def alphabetical(self) -> np.ndarray:
        """Per id, its place among the names in string order (the order rule's alphabetical key)."""
        names = self.vocab.names
        ranks = np.empty(len(names), dtype=np.int64)
        ranks[sorted(range(len(names)), key=names.__getitem__)] = np.arange(len(names))
        return ranks
