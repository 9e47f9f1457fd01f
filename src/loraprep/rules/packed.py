"""The rules on many images of one concept at once, as arrays: the same verdicts as ``apply_rules_lean``.

Bulk reads (``tags``, ``curate --diff``) ask the rules about every image; one Python pass per image cost ~70 us,
70 s at a million images. Here each rule's per-name decision is asked once per concept (packed_tables) and the
images are flat arrays of name ids, so a step is a few array operations over all of them. Images the packed
steps do not model (user edits and removals, names normalise, aliases or the trigger would rename, pairs in an
overlap file that imply each other, shuffled order, a rule this module does not know) are left to the
per-image engine: ``deferred`` lists them and the caller runs ``apply_rules_lean`` on those.
"""

from __future__ import annotations

import numpy as np

from loraprep.model.recipe import ConceptRecipe
from loraprep.model.tags import LeanBase
from loraprep.rules.base import ByName
from loraprep.rules.draft import Verdict
from loraprep.rules.packed_tables import ConceptTables, Vocabulary
from loraprep.rules.pipeline import RULES

MODELLED = ("normalise", "aliases", "overlap", "trigger", "order", "max_tags")


class PackedVerdicts:
    """The verdicts on a list of images: kept ids per image in caption order, and every drop as a row."""

    def __init__(self, count: int, vocab: Vocabulary, deferred: list[int]):
        self.count, self.vocab, self.deferred = count, vocab, deferred
        self.kept_at = np.zeros(count + 1, dtype=np.int64)   # image i keeps kept[kept_at[i]:kept_at[i + 1]]
        self.kept = np.zeros(0, dtype=np.int64)
        empty = np.zeros(0, dtype=np.int64)
        self.drop_image, self.drop_id, self.drop_rule, self.drop_arg = empty, empty, empty, empty
        self.rule_names: list[str] = []
        self.whys: dict[str, list[str]] = {}     # a by-name rule's whys (drop_arg indexes them)
        self.limit = 0
        self.keep_tokens = 0
        self.slots: tuple = ()
        self.slot_ids = empty
        self.slot_had = np.zeros((count, 0), dtype=bool)   # per image and slot: the image had it before the rules

    def why(self, k: int) -> str:
        """The why of drop row ``k``, as the per-image engine writes it."""
        rule, arg = self.rule_names[self.drop_rule[k]], int(self.drop_arg[k])
        if rule == "overlap":
            return f"implied by '{self.vocab.names[arg]}'"
        if rule == "max_tags":
            return f"over {self.limit} tags, #{arg + 1} in caption order"
        return self.whys[rule][arg]

    def added(self, i: int) -> tuple:
        """The slots the rules put on image ``i`` that it did not have, with their origin."""
        return tuple(slot for slot, had in zip(self.slots, self.slot_had[i].tolist()) if not had)

    def verdict(self, i: int) -> Verdict:
        """Image ``i``'s Verdict (not for a deferred image): what ``apply_rules_lean`` gives."""
        names = self.vocab.names
        rows = np.flatnonzero(self.drop_image == i)
        dropped = tuple((names[self.drop_id[k]], self.rule_names[self.drop_rule[k]], self.why(k), False) for k in rows)
        kept = tuple(names[j] for j in self.kept[self.kept_at[i]:self.kept_at[i + 1]].tolist())
        return Verdict(kept, dropped, self.keep_tokens, self.added(i))


def packable(base: LeanBase) -> bool:
    """Whether the packed steps model this image's tags: nobody's edits on it (no user tags, pins or removals)."""
    return not base.removed and not base.pinned and (base.sources is None or "user" not in base.sources)


class PackedImages:
    """Images' tags before rules as flat arrays: name ids in ``vocab``, scores (NaN: none), each image's count of
    rows; ``held`` marks the images the caller runs per image (their rows still count in ``ids``)."""

    def __init__(self, vocab: Vocabulary, ids: np.ndarray, scores: np.ndarray, lengths: np.ndarray,
                 held: np.ndarray):
        self.vocab, self.ids, self.scores, self.lengths, self.held = vocab, ids, scores, lengths, held

    @classmethod
    def of(cls, bases: list[LeanBase], vocab: Vocabulary | None = None) -> "PackedImages":
        vocab = vocab or Vocabulary()
        flat_names, flat_scores = [], []
        for base in bases:
            flat_names.extend(base.names)
            flat_scores.extend(base.scores)
        return cls(vocab, np.array(vocab.ids(flat_names), dtype=np.int64),
                   np.array([np.nan if s is None else s for s in flat_scores], dtype=float),
                   np.array([len(b.names) for b in bases], dtype=np.int64),
                   np.array([not packable(b) for b in bases], dtype=bool))


def packed_verdicts(bases: list[LeanBase], concept: ConceptRecipe, core: frozenset, categories: dict | None = None,
                    rules: tuple = RULES) -> PackedVerdicts:
    """The rules' verdict on each of ``bases`` (one concept's images), packed; see the module docstring."""
    return run_packed(PackedImages.of(bases), concept, core, categories, rules)


def run_packed(images: PackedImages, concept: ConceptRecipe, core: frozenset, categories: dict | None = None,
               rules: tuple = RULES) -> PackedVerdicts:
    """``packed_verdicts`` on images already packed."""
    vocab, count = images.vocab, len(images.lengths)
    order_mode = concept.rules.order
    if order_mode == "shuffle" or any(not isinstance(r, ByName) and r.name not in MODELLED for r in rules):
        return PackedVerdicts(count, vocab, list(range(count)))
    tables = ConceptTables(concept, core, rules, vocab, categories)
    size = max(len(vocab), 1)
    image = np.repeat(np.arange(count), images.lengths)
    ids, scores = images.ids, images.scores
    # Defer an image with a name the packed steps do not model, or one named twice (normalise merges copies).
    unmodelled = tables.defer[ids]
    if tables.overlap:
        unmodelled = unmodelled | tables.mutual[ids]
    ordered = np.sort(image * size + ids)
    bad = images.held.copy()
    bad[image[unmodelled]] = True
    bad[ordered[1:][ordered[1:] == ordered[:-1]] // size] = True
    if tables.overlap and tables.mutual[tables.fixed_ids].any():
        bad[:] = True
    keep_rows = ~bad[image]
    local = np.cumsum(~bad) - 1                            # image -> its place among the packed ones
    where = np.flatnonzero(~bad)
    out = PackedVerdicts(count, vocab, np.flatnonzero(bad).tolist())
    rows = _Rows(local[image[keep_rows]], ids[keep_rows], scores[keep_rows], len(where))
    _run(rows, tables, rules, concept, out)
    # Back to the caller's numbering.
    out.drop_image = where[out.drop_image]
    counts = np.zeros(count, dtype=np.int64)
    counts[where] = np.diff(out.kept_at)
    out.kept_at = np.concatenate([[0], np.cumsum(counts)])
    had = np.zeros((count, len(out.slots)), dtype=bool)
    had[where] = out.slot_had
    out.slot_had = had
    return out


class _Rows:
    """The images' current rows, in each image's order: image number, name id, score (NaN: none)."""

    def __init__(self, image, ids, scores, count: int):
        self.image, self.ids, self.scores, self.count = image, ids, scores, count
        self.drops: list[tuple] = []   # (image, id, step, position, rule code, arg) arrays per dropping step

    def position(self) -> np.ndarray:
        """Each row's place within its image (rows are grouped by image, in order)."""
        starts = np.searchsorted(self.image, np.arange(self.count))
        return np.arange(len(self.image)) - starts[self.image]

    def drop(self, gone: np.ndarray, step: int, rule: int, arg: np.ndarray) -> None:
        if gone.any():
            self.drops.append((self.image[gone], self.ids[gone], np.full(gone.sum(), step), self.position()[gone],
                               np.full(gone.sum(), rule), arg[gone]))
            self.keep(~gone)

    def keep(self, mask: np.ndarray) -> None:
        self.image, self.ids, self.scores = self.image[mask], self.ids[mask], self.scores[mask]


def _run(rows: _Rows, tables: ConceptTables, rules: tuple, concept: ConceptRecipe, out: PackedVerdicts) -> None:
    from loraprep.rules.packed_steps import implied_by, max_tags_gone, reorder

    for step, rule in enumerate(rules):
        name = rule.name
        code = len(out.rule_names)
        out.rule_names.append(name)
        if isinstance(rule, ByName):
            found = tables.by_name.get(name)
            if found is not None:
                codes, texts = found
                out.whys[name] = texts
                said = codes[rows.ids]
                rows.drop((said > 0) & ~tables.protected[rows.ids], step, code, said - 1)
        elif name == "overlap" and tables.overlap:
            implier = implied_by(rows, tables)
            rows.drop((implier >= 0) & ~tables.protected[rows.ids], step, code, implier)
        elif name == "trigger" and len(tables.slot_ids):
            out.slot_had = reorder(rows, tables, None, slots=True).reshape(rows.count, len(tables.slot_ids))
        elif name == "order":
            reorder(rows, tables, concept.rules.order, slots=False)
        elif name == "max_tags":
            out.limit = concept.rules.max_tags
            gone = max_tags_gone(rows, tables, out.limit)
            rows.drop(gone, step, code, rows.position())
    if rows.drops:
        image, ids, step, position, rule, arg = (np.concatenate(c) for c in zip(*rows.drops))
        width = int(position.max(initial=0)) + 1
        ordered = np.argsort((image * len(rules) + step) * width + position, kind="stable")
        out.drop_image, out.drop_id, out.drop_rule, out.drop_arg = (a[ordered] for a in (image, ids, rule, arg))
    out.kept = rows.ids
    out.kept_at = np.concatenate([[0], np.cumsum(np.bincount(rows.image, minlength=rows.count))])
    out.slots, out.slot_ids = tables.slots, tables.slot_ids
    if out.slot_had.shape != (rows.count, len(out.slots)):
        out.slot_had = np.zeros((rows.count, len(out.slots)), dtype=bool)
    fixed_count = len(concept.fixed_tags)
    out.keep_tokens = fixed_count if concept.keep_tokens is None else concept.keep_tokens
