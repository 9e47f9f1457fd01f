"""The rules fused into one pass over names and scores: apply_rules' answer for a whole dataset in a second.

``apply_rules`` works on Tag objects and keeps full evidence; building 400,000 of them for 10,000 images costs
seconds. ``fast_rules`` gives the same verdict (kept names in caption order, dropped names with rule and why)
from a LeanBase, and declines (returns None) for the rare image it does not cover (names normalise would
change); callers then use apply_rules. Tests hold the two to the same answer on generated inputs.
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import chain

from loraprep.model.recipe import ConceptRecipe
from loraprep.model.tagname import display_name
from loraprep.rules.arrange import people_names, shuffle_name_keys
from loraprep.rules.categories import trait_of
from loraprep.rules.cleanup import all_clean
from loraprep.rules.context import RuleContext
from loraprep.rules.effective import LeanBase
from loraprep.rules.overlap import word_suffixes


@dataclass(frozen=True)
class LeanResult:
    """The rules' verdict without Tag objects: what captions, counts, filters and diffs need."""

    names: tuple[str, ...]                         # kept, caption order
    dropped: tuple[tuple[str, str, str, bool], ...]  # (name, rule, why, by_user) in rule order
    keep_tokens: int
    added: tuple[tuple[str, str], ...] = ()         # kept names the base did not have, with their origin


def lean_of(result, base_names) -> LeanResult:
    """A full RuleResult projected to a LeanResult (the path for images fast_rules declines)."""
    present = set(base_names)
    return LeanResult(tuple(result.names), tuple((d.tag.name, d.rule, d.why, d.tag.by_user) for d in result.dropped),
                      result.keep_tokens, tuple((t.name, t.origin) for t in result.kept if t.name not in present))


def fast_rules(base: LeanBase, concept: ConceptRecipe, stats=None, *, seed_key: str = "") -> LeanResult | None:
    """apply_rules' verdict on one image from its LeanBase, or None when this image needs apply_rules."""
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
    ctx = RuleContext(concept, stats.core if stats is not None else frozenset(), removed, seed_key)
    compiled = ctx.compiled
    r = concept.rules
    user = base.user
    fixed, protect = compiled.fixed, compiled.protect

    def protected(name: str) -> bool:
        return name in user or name in fixed or name in protect

    dropped: list[tuple[str, str, str, bool]] = []
    origins: dict[str, str] = {}  # names renamed by an alias: their new origin

    def split(rule: str, whys: list) -> None:
        nonlocal names, scores
        if whys.count(None) == len(whys):
            return
        keep_names, keep_scores = [], []
        for name, score, why in zip(names, scores, whys):
            if why is None or protected(name):
                keep_names.append(name)
                keep_scores.append(score)
            else:
                dropped.append((name, rule, why, name in user))
        names, scores = keep_names, keep_scores

    # aliases
    if compiled.aliases:
        targets = [compiled.alias_of(n) for n in names]
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

    # blacklist
    if r.prune_mode != "none" and compiled.blacklist:
        memo = ctx.verdicts("blacklist")
        patterns = compiled.blacklist
        split("blacklist", [_memoised(memo, n, lambda n: "blacklisted" if n in patterns else None) for n in names])

    # overlap
    if r.overlap and r.prune_mode != "none":
        present = set(names)
        implying = names + [n for n in concept.fixed_tags if n not in present and n not in removed]
        present.update(implying)
        pairs = compiled.overlap
        if pairs or not present.isdisjoint(chain.from_iterable(map(word_suffixes, implying))):
            implied_by: dict[str, str] = {}
            for name in implying:
                for suffix in word_suffixes(name):
                    if suffix in present and suffix not in implied_by:
                        implied_by[suffix] = name
                if pairs:
                    for implied in pairs.get(name, ()):
                        if implied in present and implied != name and implied_by.get(name) != implied:
                            implied_by.setdefault(implied, name)
            if implied_by:
                split("overlap", [f"implied by '{implied_by[n]}'" if n in implied_by else None for n in names])

    # strategy
    if concept.strategy in ("absorb", "only-learned"):
        memo = ctx.verdicts("strategy")
        if concept.strategy == "absorb":
            def why(n):
                return "absorbed by the trigger" if ctx.learned(n) else None
        else:
            def why(n):
                return None if ctx.learned(n) else "not a learned trait"
        split("strategy", [_memoised(memo, n, why) for n in names])

    # guide 002's prune modes
    if r.prune_mode in ("character_core", "character"):
        memo = ctx.verdicts("prune_mode:" + r.prune_mode)
        core = ctx.core

        def prune_why(n):
            trait = trait_of(n)
            if r.prune_mode == "character_core":
                return "core character trait" if n in core and trait else None
            return f"character trait ({trait[0]})" if trait and trait[1] < r.drop_difficulty else None
        split("prune_mode", [_memoised(memo, n, prune_why) for n in names])

    # trigger and fixed slots
    slots = concept.fixed_tags
    if removed:
        slots = tuple(n for n in slots if n not in removed)
    if slots:
        slot_set = fixed if len(slots) == len(concept.fixed_tags) else set(slots)
        score_of = {n: s for n, s in zip(names, scores) if n in slot_set}
        for n in slots:
            if n not in score_of and n not in origins:
                origins[n] = f"rule:{'trigger' if n in concept.trigger else 'fixed'}"
        rest = [i for i, n in enumerate(names) if n not in slot_set]
        names, scores = ([*slots, *(names[i] for i in rest)],
                         [*(score_of.get(n) for n in slots), *(scores[i] for i in rest)])

    # order: fixed slots stay first, then the sort mode, then people-count tags to the front
    n_fixed = 0
    for n in names:
        if n not in fixed:
            break
        n_fixed += 1
    body = list(range(n_fixed, len(names)))
    mode = r.order
    if mode == "score":
        body.sort(key=lambda i: -1.0 if scores[i] is None else -scores[i])
    elif mode == "alphabetical":
        body.sort(key=names.__getitem__)
    elif mode == "shuffle":
        shuffle_key = shuffle_name_keys(r.seed, seed_key)
        body.sort(key=lambda i: shuffle_key(names[i]))
    people = people_names([names[i] for i in body])
    if people:
        body = [i for i in body if names[i] in people] + [i for i in body if names[i] not in people]
    order = list(range(n_fixed)) + body
    names, scores = [names[i] for i in order], [scores[i] for i in order]

    # max_tags: the least confident go first; protected ones stay
    limit = r.max_tags
    if len(names) > limit:
        candidates = sorted((1.0 if s is None else s, n) for n, s in zip(names, scores) if not protected(n))
        cut = {n: c for c, n in candidates[:len(names) - limit]}
        for n in names:
            if n in cut:
                dropped.append((n, "max_tags", f"over {limit} tags, confidence {cut[n]:.2f}", n in user))
        names = [n for n in names if n not in cut]

    kept_fixed = sum(1 for n in names[:len(concept.fixed_tags)] if n in fixed)
    keep = kept_fixed if concept.keep_tokens is None else concept.keep_tokens
    base_names = set(base.names)
    return LeanResult(tuple(names), tuple(dropped), keep,
                      tuple((n, origins[n]) for n in names if n in origins and n not in base_names))


def _memoised(memo: dict, name: str, decide):
    try:
        return memo[name]
    except KeyError:
        why = memo[name] = decide(name)
        return why


def _origin(base: LeanBase, name: str) -> str:
    if base.origins is None:
        return "tagger"
    return base.origin_of(base.names.index(name))
