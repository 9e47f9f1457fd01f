"""The rule list and its one engine: every rule in order on one image, on Tag records or on names alone.

``apply_rules`` runs on Tag records and keeps full evidence; ``apply_rules_lean`` runs the same steps on a
LeanBase for bulk reads (building 400,000 Tag objects for 10,000 images costs seconds). Both iterate the same
compiled list, so they give the same Verdict. ``render_caption`` writes the final caption text.
"""

from __future__ import annotations

from loraprep.model.recipe import ConceptRecipe
from loraprep.model.tagname import display_name, escape_a1111
from loraprep.model.tags import LeanBase
from loraprep.rules.arrange import max_tags, order, trigger
from loraprep.rules.base import Rule
from loraprep.rules.cleanup import aliases, all_clean, blacklist, normalise
from loraprep.rules.context import RuleContext
from loraprep.rules.draft import Draft, Verdict
from loraprep.rules.overlap import overlap
from loraprep.rules.strategy import prune_mode, strategy

# The registration: a new rule's instance goes here, at the place it runs.
RULES = (normalise, aliases, blacklist, overlap, strategy, prune_mode, trigger, order, max_tags)


class Plan:
    """The rule list compiled for one concept and its core tags: the steps that have something to do there."""

    def __init__(self, concept: ConceptRecipe, core: frozenset, rules: tuple):
        self.concept, self.core, self.rules = concept, core, rules
        ctx = RuleContext(concept, core)
        self.steps = [step for step in (rule.prepare(ctx) for rule in rules) if step is not None]
        # Rules that must see Tag records for some names (normalise's merges): asked before a names-only run.
        self.record_checks = [rule.needs_records for rule in rules
                              if type(rule).needs_records is not Rule.needs_records]
        self.fixed, self.protect = ctx.compiled.fixed, ctx.compiled.protect or None
        self.fixed_tags, self.keep_tokens = concept.fixed_tags, concept.keep_tokens

    def run(self, draft: Draft) -> Verdict:
        for step in self.steps:
            step(draft)
        return draft.verdict(self.fixed_tags, self.keep_tokens)


_PLANS: dict = {}


def plan_for(concept: ConceptRecipe, core: frozenset) -> Plan:
    """The compiled plan, remembered by identity: a workspace passes the same recipe and core objects for every
    image of a concept, and hashing a whole recipe per image would cost more than the rules."""
    key = (id(concept), id(core))
    found = _PLANS.get(key)
    if found is None or found.concept is not concept or found.core is not core or found.rules is not RULES:
        if len(_PLANS) > 256:
            _PLANS.clear()
        found = _PLANS[key] = Plan(concept, core, RULES)
    return found


def apply_rules(tags, concept: ConceptRecipe, stats=None, *, user_removed: frozenset[str] = frozenset(),
                seed_key: str = "", categories=None) -> Verdict:
    """The recipe's verdict on one image's Tag records, with evidence: pure, deterministic, idempotent.
    ``categories`` (name -> tagger category, the store's vocabulary) places character and copyright tags;
    without it the records' own categories do."""
    plan = plan_for(concept, stats.core if stats is not None else frozenset())
    # Compare spellings as normalise will write them: a user who removed "frilled panties" also removed
    # an imported "Frilled_Panties".
    removed = frozenset(display_name(n) for n in user_removed)
    current = [t for t in tags if display_name(t.name) not in removed] if removed else tags
    return plan.run(Draft.of_tags(current, removed, seed_key, plan.fixed, plan.protect, categories))


def apply_rules_lean(base: LeanBase, concept: ConceptRecipe, stats=None, *, seed_key: str = "",
                     categories=None) -> Verdict:
    """The same verdict from names and scores alone (no evidence records); the user's removals come with
    ``base``. An image whose names a rule must see as records (normalise would rename or merge) runs on them."""
    plan = plan_for(concept, stats.core if stats is not None else frozenset())
    removed = base.removed
    if removed and not all_clean(removed):
        removed = frozenset(display_name(n) for n in removed)
    draft = Draft.of_lean(base, removed, seed_key, plan.fixed, plan.protect, categories)
    for needs_records in plan.record_checks:
        if needs_records(draft.names):
            full = apply_rules(base.tags(categories or {}), concept, stats, user_removed=base.removed,
                               seed_key=seed_key, categories=categories or {})
            return Verdict(full.names, full.dropped, full.keep_tokens, full.added)  # categories unknown here
    return plan.run(draft)


def render_caption(result: Verdict, concept: ConceptRecipe) -> str:
    """Tags joined by the separator; A1111 style escapes parentheses; kohya's keep_tokens_separator if asked."""
    names = [escape_a1111(n) if concept.rules.style == "a1111" else n for n in result.names]
    sep = concept.rules.separator
    token = concept.keep_tokens_separator
    if token and result.keep_tokens and len(names) > result.keep_tokens:
        k = result.keep_tokens
        return f"{sep.join(names[:k])} {token} {sep.join(names[k:])}"
    return sep.join(names)
