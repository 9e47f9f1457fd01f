"""apply_rules(): run every rule in order on one image's tags; render_caption(): the final caption text."""

from __future__ import annotations

from dataclasses import dataclass

from loraprep.model.recipe import ConceptRecipe
from loraprep.model.tagname import display_name, escape_a1111
from loraprep.model.tags import Dropped, Tag
from loraprep.rules.arrange import max_tags, order, trigger
from loraprep.rules.cleanup import aliases, blacklist, normalise
from loraprep.rules.context import RuleContext
from loraprep.rules.overlap import overlap
from loraprep.rules.strategy import prune_mode, strategy

RULES = (normalise, aliases, blacklist, overlap, strategy, prune_mode, trigger, order, max_tags)


@dataclass(frozen=True)
class RuleResult:
    kept: tuple[Tag, ...]          # caption order
    dropped: tuple[Dropped, ...]   # with the name of the rule that dropped each
    keep_tokens: int

    @property
    def names(self) -> list[str]:
        return [t.name for t in self.kept]


def apply_rules(tags, concept: ConceptRecipe, stats=None, *, user_removed: frozenset[str] = frozenset(),
                seed_key: str = "") -> RuleResult:
    """The recipe's verdict on one image: pure, deterministic, idempotent."""
    # Compare spellings as normalise will write them: a user who removed "frilled panties" also removed
    # an imported "Frilled_Panties".
    removed = frozenset(display_name(n) for n in user_removed)
    ctx = RuleContext(concept, stats.core if stats is not None else frozenset(), removed, seed_key)
    current = tuple(t for t in tags if display_name(t.name) not in removed) if removed else tuple(tags)
    dropped: list[Dropped] = []
    for fn in RULES:
        current, gone = fn(current, ctx)
        dropped.extend(gone)
    n_fixed = sum(1 for t in current[:len(concept.fixed_tags)] if t.name in concept.fixed_tags)
    keep = n_fixed if concept.keep_tokens is None else concept.keep_tokens
    return RuleResult(current, tuple(dropped), keep)


def render_caption(result: RuleResult, concept: ConceptRecipe) -> str:
    """Tags joined by the separator; A1111 style escapes parentheses; kohya's keep_tokens_separator if asked."""
    names = [escape_a1111(n) if concept.rules.style == "a1111" else n for n in result.names]
    sep = concept.rules.separator
    token = concept.keep_tokens_separator
    if token and result.keep_tokens and len(names) > result.keep_tokens:
        k = result.keep_tokens
        return f"{sep.join(names[:k])} {token} {sep.join(names[k:])}"
    return sep.join(names)
