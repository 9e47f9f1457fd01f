"""The rules fused into one pass over names and scores: apply_rules' answer for a whole dataset in a second.

``apply_rules`` works on Tag objects and keeps full evidence; building 400,000 of them for 10,000 images costs
seconds. ``fast_rules`` gives the same verdict (kept names in caption order, dropped names with rule and why)
from a LeanBase, and declines (returns None) for the rare image it does not cover (names normalise would
change); callers then use apply_rules. Tests hold the two to the same answer on generated inputs.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial
from operator import ge

from loraprep.model.recipe import ConceptRecipe
from loraprep.model.tagname import display_name
from loraprep.rules.arrange import people_names, shuffle_name_keys
from loraprep.rules.base import memoised
from loraprep.rules.cleanup import all_clean, blacklist_why
from loraprep.rules.context import RuleContext
from loraprep.rules.effective import LeanBase
from loraprep.rules.overlap import implied_tags
from loraprep.rules.strategy import prune_why, strategy_why


@dataclass(frozen=True)
class LeanResult:
    """The rules' verdict without Tag objects: what captions, counts, filters and diffs need."""

    names: tuple[str, ...]                           # kept, caption order
    dropped: tuple[tuple[str, str, str, bool], ...]  # (name, rule, why, by_user) in rule order
    keep_tokens: int
    added: tuple[tuple[str, str], ...] = ()          # kept names the base did not have, with their origin


def lean_of(result, base_names) -> LeanResult:
    """A full RuleResult projected to a LeanResult (the path for images fast_rules declines)."""
    present = set(base_names)
    return LeanResult(tuple(result.names), tuple((d.tag.name, d.rule, d.why, d.tag.by_user) for d in result.dropped),
                      result.keep_tokens, tuple((t.name, t.origin) for t in result.kept if t.name not in present))


def fast_rules(base: LeanBase, concept: ConceptRecipe, stats=None, *, seed_key: str = "") -> LeanResult | None:
    """apply_rules' verdict on one image from its LeanBase, or None when this image needs apply_rules."""
    return _plan(concept, stats.core if stats is not None else frozenset()).run(base, seed_key)


_PLANS: dict = {}


def _plan(concept: ConceptRecipe, core: frozenset) -> "_FastPlan":
    # Keyed by identity: the Workspace passes the same recipe and core objects for every image of a concept,
    # and hashing a whole recipe per image would cost more than the rules.
    key = (id(concept), id(core))
    found = _PLANS.get(key)
    if found is None or found.concept is not concept or found.core is not core:
        if len(_PLANS) > 256:
            _PLANS.clear()
        found = _PLANS[key] = _FastPlan(concept, core)
    return found


class _FastPlan:
    """One concept's rules prepared once (compiled patterns, per-name verdict memos), run per image."""

    def __init__(self, concept: ConceptRecipe, core: frozenset):
        self.concept, self.core = concept, core
        self.ctx = ctx = RuleContext(concept, core)
        compiled = ctx.compiled
        r = concept.rules
        self.rules = r
        self.fixed = compiled.fixed
        self.protect = compiled.protect if compiled.protect else None
        self.aliases = partial(memoised, compiled.alias_memo, decide=compiled.alias_of) if compiled.aliases else None
        # Each per-name rule as names -> verdicts, remembered per concept (the memos apply_rules uses too)
        self.blacklist = partial(memoised, ctx.verdicts("blacklist"), decide=blacklist_why(ctx)) \
            if r.prune_mode != "none" and compiled.blacklist else None
        self.overlap = r.overlap and r.prune_mode != "none"
        self.pairs = compiled.overlap
        why = strategy_why(ctx)
        self.strategy = None if why is None else partial(memoised, ctx.verdicts("strategy"), decide=why)
        why = prune_why(ctx)
        memo = ctx.verdicts("prune_mode:" + r.prune_mode)  # apply_rules decides these per tag, not by name
        self.prune = None if why is None else partial(memoised, memo, decide=why)
        self.fixed_tags = concept.fixed_tags  # a computed property of the recipe: read it once
        self.slot_kind = {n: "trigger" if n in concept.trigger else "fixed" for n in self.fixed_tags}

    def run(self, base: LeanBase, seed_key: str) -> LeanResult | None:
        concept, r = self.concept, self.rules
        removed = base.removed
        if removed and not all_clean(removed):
            removed = frozenset(display_name(n) for n in removed)
        names = list(base.names)
        if not all_clean(names) or len(set(names)) != len(names):
            return None  # normalise would rename or merge: rare, and apply_rules has the evidence rules for it
        scores = list(base.scores)
        if removed:
            keep = [n not in removed for n in names]
            names = [n for n, k in zip(names, keep) if k]
            scores = [s for s, k in zip(scores, keep) if k]
        user = base.user
        fixed, protect = self.fixed, self.protect
        guarded = user | fixed if user else fixed

        def protected(name: str) -> bool:
            return name in guarded or (protect is not None and name in protect)

        dropped: list[tuple[str, str, str, bool]] = []
        origins: dict[str, str] = {}  # names an alias renamed or a slot added: their origin

        def split(rule: str, whys: list) -> None:
            nonlocal names, scores
            if whys.count(None) == len(whys):
                return
            gone = [i for i, why in enumerate(whys) if why is not None and not protected(names[i])]
            if gone:
                dropped.extend([(names[i], rule, whys[i], names[i] in user) for i in gone])
                gone = set(gone)
                names = [n for i, n in enumerate(names) if i not in gone]
                scores = [v for i, v in enumerate(scores) if i not in gone]

        if self.aliases is not None:
            targets = self.aliases(names)
            if targets.count(None) != len(targets):
                present = set(names)
                out: dict[str, float | None] = {}
                for i, (name, target) in enumerate(zip(names, targets)):
                    if target is None or target == name or protected(name):
                        out.setdefault(name, scores[i])
                        continue
                    dropped.append((name, "aliases", f"-> {target}", False))
                    if target in removed or target in out or target in present:
                        continue
                    out[target] = scores[i]
                    origins[target] = f"{_origin(base, name)}; alias of {name}"
                names, scores = list(out), list(out.values())

        if self.blacklist is not None:
            split("blacklist", self.blacklist(names))

        if self.overlap:
            self._overlap(names, removed, split)

        if self.strategy is not None:
            split("strategy", self.strategy(names))
        if self.prune is not None:
            split("prune_mode", self.prune(names))

        # trigger and fixed slots, first and once; a copy already present keeps its own score and origin
        slots = self.fixed_tags
        if removed:
            slots = tuple(n for n in slots if n not in removed)
        if slots:
            slot_set = fixed if len(slots) == len(self.fixed_tags) else set(slots)
            if slot_set.isdisjoint(names):
                score_of = {}
            else:
                score_of = {n: s for n, s in zip(names, scores) if n in slot_set}
                scores = [v for n, v in zip(names, scores) if n not in slot_set]
                names = [n for n in names if n not in slot_set]
            for n in slots:
                if n not in score_of and n not in origins:
                    origins[n] = f"rule:{self.slot_kind[n]}"
            names = [*slots, *names]
            scores = [*(score_of.get(n) for n in slots), *scores]

        names, scores = self._order(names, scores, seed_key, base.in_front)

        limit = r.max_tags
        if len(names) > limit:  # the least confident go first; protected ones stay
            if protect is None:
                candidates = [(1.0 if s is None else s, n) for n, s in zip(names, scores) if n not in guarded]
            else:
                candidates = [(1.0 if s is None else s, n) for n, s in zip(names, scores) if not protected(n)]
            candidates.sort()
            cut = {n: c for c, n in candidates[:len(names) - limit]}
            for n in names:
                if n in cut:
                    dropped.append((n, "max_tags", f"over {limit} tags, confidence {cut[n]:.2f}", n in user))
            names = [n for n in names if n not in cut]

        kept_fixed = sum(1 for n in names[:len(self.fixed_tags)] if n in fixed)
        keep = kept_fixed if concept.keep_tokens is None else concept.keep_tokens
        added = ()
        if origins:
            base_names = set(base.names)
            added = tuple((n, origins[n]) for n in names if n in origins and n not in base_names)
        return LeanResult(tuple(names), tuple(dropped), keep, added)

    def _overlap(self, names: list, removed: frozenset, split) -> None:
        implied_by = implied_tags(names, self.fixed_tags, removed, self.pairs)
        if implied_by:
            split("overlap", [f"implied by '{implied_by[n]}'" if n in implied_by else None for n in names])

    def _order(self, names: list, scores: list, seed_key: str, front: frozenset = frozenset()):
        """Fixed slots stay first; then the sort mode; then people-count tags to the front, and the user's front
        tags before them (stable)."""
        fixed = self.fixed
        n_fixed = 0
        for n in names:
            if n not in fixed:
                break
            n_fixed += 1
        mode = self.rules.order
        body_scores = scores[n_fixed:]
        if mode == "score" and None not in body_scores and all(map(ge, body_scores, body_scores[1:])):
            mode = None  # already highest first (the tagger's order): a stable sort would change nothing
        people = people_names(names[n_fixed:])
        if mode not in ("score", "alphabetical", "shuffle") and not people and not front:
            return names, scores
        body = list(zip(names[n_fixed:], body_scores))
        if mode == "score":
            body.sort(key=_negative_score)
        elif mode == "alphabetical":
            body.sort(key=_first)
        elif mode == "shuffle":
            shuffle_key = shuffle_name_keys(self.rules.seed, seed_key)
            body.sort(key=lambda pair: shuffle_key(pair[0]))
        if people:
            body = [p for p in body if p[0] in people] + [p for p in body if p[0] not in people]
        if front and not front.isdisjoint(names):
            body = [p for p in body if p[0] in front] + [p for p in body if p[0] not in front]
        return names[:n_fixed] + [n for n, _s in body], scores[:n_fixed] + [s for _n, s in body]


def _negative_score(pair) -> float:
    return -1.0 if pair[1] is None else -pair[1]


def _first(pair) -> str:
    return pair[0]


def _origin(base: LeanBase, name: str) -> str:
    if base.origins is None:
        return "tagger"
    return base.origin_of(base.names.index(name))
