"""One image's tags while the rules run (Draft), and the rules' answer (Verdict), for Tag records and names alike.

A Draft holds the tags as parallel lists of names and scores, and the Tag records beside them when the rules
run for evidence (``tags`` is None on the names-only path that bulk reads take). Every rule edits a Draft through
the few operations below, which keep the lists in step, so a rule is written once for both paths.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from itertools import compress

from loraprep.model.tagname import display_name
from loraprep.model.tags import FRONT, Dropped, LeanBase, Tag


@dataclass(frozen=True)
class Verdict:
    """The rules' answer on one image. Equality looks at the names-only part: both paths give the same one."""

    names: tuple[str, ...]                           # kept, caption order
    dropped: tuple[tuple[str, str, str, bool], ...]  # (name, rule, why, by_user) in rule order
    keep_tokens: int
    added: tuple[tuple[str, str], ...] = ()          # kept names the image's tags did not have, with their origin
    kept: tuple[Tag, ...] | None = field(default=None, compare=False)             # evidence: when run on Tags
    dropped_tags: tuple[Dropped, ...] | None = field(default=None, compare=False)


class Draft:
    """The working state of the rules on one image (see the module docstring)."""

    __slots__ = ("names", "scores", "tags", "user", "front", "removed", "seed_key", "dropped", "origins", "categories",
                 "input_names", "_base", "_base_origins", "_guarded", "_fixed", "_protect")

    def __init__(self, names: list, scores: list, tags: list | None, user: frozenset, front: frozenset,
                 removed: frozenset, seed_key: str, fixed: frozenset, protect, input_names):
        self.names, self.scores, self.tags = names, scores, tags
        self.user, self.front = user, front      # names no rule may drop; names the user put at the front
        self.removed, self.seed_key = removed, seed_key
        self.dropped: list = []                  # Dropped records with tags, else (name, rule, why, by_user)
        self.origins: dict[str, str] = {}        # names-only path: the origin of each name a rule brought in
        self.input_names = input_names           # records: the names the image had (``added`` is measured
                                                 # against them); names alone: ``_base.name_set``
        self._base: LeanBase | None = None
        self._base_origins: dict | None = None
        self._fixed, self._protect = fixed, protect
        self._guarded = user | fixed if user else fixed
        # name -> tagger category (character, copyright, ...), looked up by name on both paths so that a renamed
        # or added tag gets the same answer; None where unknown
        self.categories = None

    @classmethod
    def of_tags(cls, tags, removed: frozenset, seed_key: str, fixed: frozenset, protect,
                categories=None) -> "Draft":
        """A Draft of Tag records; ``removed`` are the user's removals as display names (rules consult them).
        ``categories`` (name -> category) defaults to the records' own categories."""
        tags = list(tags)
        draft = cls([], [], [], frozenset(), frozenset(), removed, seed_key, fixed, protect, None)
        if categories is None:
            categories = {display_name(t.name): t.category for t in tags if t.category != "general"}
            categories.update((t.name, t.category) for t in tags if t.category != "general")
        draft.categories = categories or None
        draft.set_tags(tags)
        return draft

    @classmethod
    def of_lean(cls, base: LeanBase, removed: frozenset, seed_key: str, fixed: frozenset, protect,
                categories=None) -> "Draft":
        """A names-only Draft; the ``removed`` names (display names) are left out; ``categories`` maps names
        to their tagger category (None: unknown)."""
        names, scores = list(base.names), list(base.scores)
        if removed:
            keep = [n not in removed for n in names]
            names = [n for n, k in zip(names, keep) if k]
            scores = [s for s, k in zip(scores, keep) if k]
        draft = cls(names, scores, None, base.user, base.in_front, removed, seed_key, fixed, protect, None)
        draft._base, draft.categories = base, categories or None
        return draft

    def set_tags(self, tags: list) -> None:
        """Replace the rows by Tag records (records only: a rule that renames or merges them)."""
        self.tags = tags
        self.names, self.scores = [t.name for t in tags], [t.score for t in tags]
        self.user = frozenset(t.name for t in tags if t.by_user)
        self.front = frozenset(t.name for t in tags if t.origin == FRONT)
        self._guarded = self.user | self._fixed
        if self.input_names is None:
            self.input_names = frozenset(self.names)

    # ---- what rules ask -------------------------------------------------------------------------------------
    def protected(self, name: str) -> bool:
        """User and pinned tags, the fixed slots and the recipe's protect list never fall to a rule."""
        return name in self._guarded or (self._protect is not None and name in self._protect)

    def origin_at(self, i: int) -> str:
        """Where row ``i`` came from ('tagger', 'file:a.txt', 'rule:trigger', ...)."""
        if self.tags is not None:
            return self.tags[i].origin
        name = self.names[i]
        found = self.origins.get(name)
        if found is not None:
            return found
        base = self._base
        if base is None or base.origins is None:
            return "tagger"
        if self._base_origins is None:
            self._base_origins = dict(zip(base.names, base.origins))
        return self._base_origins[name]

    # ---- what rules do --------------------------------------------------------------------------------------
    def drop(self, rule: str, whys: list) -> None:
        """Drop each row whose why is not None, unless protected; the dropped rows keep their evidence."""
        if whys.count(None) == len(whys):  # the usual answer: nothing to drop, so no lists to build
            return
        names, guarded, protect = self.names, self._guarded, self._protect
        # protected(), inlined: asked only of the rows a rule would drop
        gone = [i for i, why in enumerate(whys) if why is not None and names[i] not in guarded
                and (protect is None or names[i] not in protect)]
        if gone:
            self.drop_rows(rule, gone, [whys[i] for i in gone])

    def drop_rows(self, rule: str, gone: list[int], whys: list[str]) -> None:
        """Drop these rows (unprotected, in increasing order), each with its why."""
        names = self.names
        if self.tags is None:
            user = self.user
            self.dropped.extend([(names[i], rule, why, names[i] in user) for i, why in zip(gone, whys)])
        else:
            tags = self.tags
            self.dropped.extend([Dropped(tags[i], rule, why) for i, why in zip(gone, whys)])
        rows = [self.names, self.scores] if self.tags is None else [self.names, self.scores, self.tags]
        if len(gone) <= 4:  # the usual drop: a few rows, deleted in place (these lists belong to this Draft)
            for i in reversed(gone):
                for column in rows:
                    del column[i]
            return
        mask = [True] * len(names)
        for i in gone:
            mask[i] = False
        self.names = list(compress(self.names, mask))
        self.scores = list(compress(self.scores, mask))
        if self.tags is not None:
            self.tags = list(compress(self.tags, mask))

    def drop_row(self, i: int, rule: str, why: str) -> None:
        """Record row ``i`` as dropped by ``rule`` without removing it yet (a rule rebuilding the rows does)."""
        if self.tags is None:
            self.dropped.append((self.names[i], rule, why, self.names[i] in self.user))
        else:
            self.dropped.append(Dropped(self.tags[i], rule, why))

    def keep(self, rows: list[int]) -> None:
        """Keep these rows, in this order (a filter, a permutation or both)."""
        names, scores = self.names, self.scores
        self.names = [names[i] for i in rows]
        self.scores = [scores[i] for i in rows]
        if self.tags is not None:
            tags = self.tags
            self.tags = [tags[i] for i in rows]

    def rename(self, rows: dict[str, tuple[int, str | None]]) -> None:
        """New rows in order: name -> (the row it comes from, its new origin, or None to keep the row as it is)."""
        scores, tags = self.scores, self.tags
        self.names = list(rows)
        self.scores = [scores[i] for i, _o in rows.values()]
        if tags is None:
            self.origins.update((n, o) for n, (_i, o) in rows.items() if o is not None)
        else:
            self.tags = [tags[i] if o is None else replace(tags[i], name=n, origin=o) for n, (i, o) in rows.items()]

    def put_first(self, slots: tuple[Tag, ...], slot_names: tuple[str, ...], wanted: frozenset) -> None:
        """These tags (``slot_names``, as a set ``wanted``) first, in this order; a row of the same name moves
        there, keeping its own score and origin."""
        names, scores, tags = self.names, self.scores, self.tags
        at = {n: i for i, n in enumerate(names) if n in wanted} if not wanted.isdisjoint(names) else None
        if at is None:
            self.names = [*slot_names, *names]
            self.scores = [*(None for _n in slot_names), *scores]
        else:
            rest = [i for i, n in enumerate(names) if n not in wanted]
            self.names = [*slot_names, *(names[i] for i in rest)]
            self.scores = [*(scores[at[n]] if n in at else None for n in slot_names), *(scores[i] for i in rest)]
        if tags is None:
            for t in slots:
                if (at is None or t.name not in at) and t.name not in self.origins:
                    self.origins[t.name] = t.origin
        elif at is None:
            self.tags = [*slots, *tags]
        else:
            self.tags = [*(tags[at[t.name]] if t.name in at else t for t in slots), *(tags[i] for i in rest)]

    # ---- the answer -----------------------------------------------------------------------------------------
    def verdict(self, fixed_tags: tuple[str, ...], keep_tokens: int | None) -> Verdict:
        """The Verdict once every rule ran; ``keep_tokens`` None counts the fixed slots kept first."""
        names, fixed = self.names, self._fixed
        kept_fixed = sum(1 for n in names[:len(fixed_tags)] if n in fixed)
        keep = kept_fixed if keep_tokens is None else keep_tokens
        if self.tags is None:
            origins = self.origins
            present = self._base.name_set if origins else ()
            added = tuple((n, origins[n]) for n in names if n in origins and n not in present) if origins else ()
            return Verdict(tuple(names), tuple(self.dropped), keep, added)
        dropped, present = tuple(self.dropped), self.input_names
        return Verdict(tuple(names), tuple((d.tag.name, d.rule, d.why, d.tag.by_user) for d in dropped), keep,
                       tuple((t.name, t.origin) for t in self.tags if t.name not in present), tuple(self.tags),
                       dropped)
