"""What every rule sees: the concept's recipe compiled once, the concept's core tags, the user's removals."""

from __future__ import annotations

import functools
from dataclasses import dataclass, field

from loraprep.model.recipe import ConceptRecipe
from loraprep.model.tagname import display_name
from loraprep.model.tags import Tag
from loraprep.rules.categories import default_blacklist, innate_categories, trait_of
from loraprep.rules.patterns import PatternSet, compile_pattern


@dataclass(frozen=True)
class Compiled:
    blacklist: PatternSet                              # the user's own (recipe list and file): always applies
    protect: PatternSet
    learned: PatternSet
    aliases: tuple
    overlap: dict
    fixed: frozenset = frozenset()                     # trigger and fixed words, as written and as stored
    learned_categories: frozenset = frozenset()
    slot_tags: tuple = ()                              # the Tags the trigger rule inserts, trigger then fixed
    alias_memo: dict = field(default_factory=dict)     # tag -> alias target or None, filled on first sight
    verdict_memo: dict = field(default_factory=dict)   # (rule, core) -> {tag: why or None}
    meta_blacklist: PatternSet | None = None           # the shipped meta tags: follow prune_mode

    def alias_of(self, name: str) -> str | None:
        """The final replacement of ``name``, or None when no alias matches it.

        Chains are followed to their end (``panties -> white panties -> frilled panties``) so that applying the
        aliases twice changes nothing more; a cycle (``a -> b -> a``) resolves every member to its smallest name.
        """
        try:
            return self.alias_memo[name]
        except KeyError:
            pass
        chain = [name]
        target = self._first_alias(name)
        while target is not None and target != chain[-1]:
            if target in chain:
                target = min(chain[chain.index(target):])
                break
            chain.append(target)
            target = self._first_alias(target)
        else:
            target = chain[-1] if len(chain) > 1 else target
        self.alias_memo[name] = target
        return target

    def _first_alias(self, name: str) -> str | None:
        return next((t for match, t in self.aliases if match(name)), None)


@functools.lru_cache(maxsize=256)
def compile_concept(concept: ConceptRecipe) -> Compiled:
    r = concept.rules
    aliases = tuple((compile_pattern(p), target) for p, target in r.aliases)
    slots = tuple(Tag(name=n, category=k, score=None, source="rule", origin=f"rule:{k}")
                  for n, k in ((n, "trigger" if n in concept.trigger else "fixed") for n in concept.fixed_tags))
    return Compiled(PatternSet(r.blacklist), PatternSet(r.protect), PatternSet(r.learned), aliases,
                    {k: frozenset(v) for k, v in r.overlap_pairs},
                    frozenset(concept.fixed_tags) | {display_name(n) for n in concept.fixed_tags},
                    frozenset(r.learned_categories), slots,
                    meta_blacklist=PatternSet(default_blacklist() if r.default_blacklist else ()))


@dataclass(frozen=True)
class RuleContext:
    concept: ConceptRecipe
    core: frozenset[str] = frozenset()
    user_removed: frozenset[str] = frozenset()
    seed_key: str = ""
    compiled: Compiled = field(default=None)

    def __post_init__(self):
        if self.compiled is None:
            object.__setattr__(self, "compiled", compile_concept(self.concept))

    def verdicts(self, rule: str) -> dict:
        """A rule's remembered per-name verdicts for this concept and its current core tags."""
        key = (rule, self.core)
        memo = self.compiled.verdict_memo.get(key)
        if memo is None:
            if len(self.compiled.verdict_memo) > 64:  # core sets change as a user edits: keep the memo small
                self.compiled.verdict_memo.clear()
            memo = self.compiled.verdict_memo[key] = {}
        return memo

    def protected(self, tag) -> bool:
        """User tags, pinned tags, the recipe's protect list and the fixed slots never fall to a rule."""
        return tag.pinned or tag.source == "user" or tag.name in self.compiled.fixed or tag.name in self.compiled.protect

    def learned(self, name: str) -> bool:
        """A trait the trigger should learn: listed, in a learned category, or (absorb_core) a core tag of an
        innate category (hair colour, eyes, body, ...): never a hair style or clothing for being frequent."""
        if name in self.compiled.learned:
            return True
        trait = trait_of(name)
        if trait is None:
            return False
        if trait[0] in self.compiled.learned_categories:
            return True
        return self.concept.rules.absorb_core and name in self.core and trait[0] in innate_categories()


def core_change_matters(before: frozenset, after: frozenset) -> bool:
    """Whether a concept's core tags moving from ``before`` to ``after`` can change any rule's verdict.

    The rules read core tags only for trait tags (absorb's core traits, character_core): a core set that gained
    or lost only other tags (a new "masterpiece" on every image) leaves every verdict as it was.
    """
    return any(trait_of(name) is not None for name in before.symmetric_difference(after))
