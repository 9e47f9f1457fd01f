"""Rules that clean names: normalise spelling and merge duplicates, aliases / consolidation, blacklist."""

from __future__ import annotations

from dataclasses import replace

from loraprep.model.tagname import display_name
from loraprep.model.tags import Dropped
from loraprep.rules.base import ByName, Rule, memoised


class Normalise(Rule):
    """Underscores to spaces (kaomoji kept), lower case, trimmed; a repeated tag keeps its strongest copy."""

    name = "normalise"

    def needs_records(self, names) -> bool:
        return not (all_clean(names) and len(set(names)) == len(names))

    def prepare(self, ctx):
        return self.step

    def step(self, draft) -> None:
        # Names alone come here clean (the engine asked needs_records first); records are cleaned here unless
        # they already are: the usual case once tags are stored in display form.
        if draft.tags is None or not self.needs_records(draft.names):
            return
        merged: dict[str, object] = {}
        for tag in draft.tags:
            name = display_name(tag.name)
            tag = tag if name == tag.name else replace(tag, name=name)
            if not name:
                draft.dropped.append(Dropped(tag, "normalise", "empty"))
            elif name not in merged:
                merged[name] = tag
            else:
                first = merged[name]
                best = first if (first.by_user, first.score or 0) >= (tag.by_user, tag.score or 0) else tag
                merged[name] = replace(best, pinned=first.pinned or tag.pinned)
                draft.dropped.append(Dropped(first if best is tag else tag, "normalise", "duplicate"))
        draft.set_tags(list(merged.values()))


normalise = Normalise()

_CLEAN: set[str] = set()  # names met so far that are already in display form (a memo: never changes an answer)


def all_clean(names) -> bool:
    """True when every name is already spelled as display_name writes it (normalise would change nothing)."""
    return _CLEAN.issuperset(names) or _learn_clean(names)


def _learn_clean(names) -> bool:
    """Remember which of ``names`` are spelled as display_name writes them; True when all of them are."""
    if len(_CLEAN) > 1_000_000:
        _CLEAN.clear()
    for name in names:
        if name and display_name(name) == name:
            _CLEAN.add(name)
    return _CLEAN.issuperset(names)


class Aliases(Rule):
    """Many -> one: a tag matching an alias pattern becomes its target (kept once, at the first position)."""

    name = "aliases"

    def prepare(self, ctx):
        compiled = ctx.compiled
        if not compiled.aliases:
            return None
        memo, alias_of = compiled.alias_memo, compiled.alias_of

        def step(draft) -> None:
            names = draft.names
            targets = memoised(memo, names, alias_of)
            if targets.count(None) == len(targets):
                return
            present = set(names)
            rows: dict[str, tuple[int, str | None]] = {}
            for i, (name, target) in enumerate(zip(names, targets)):  # protection is asked only where one matches
                if target is None or target == name or draft.protected(name):
                    rows.setdefault(name, (i, None))
                    continue
                draft.drop_row(i, "aliases", f"-> {target}")
                if target in draft.removed or target in rows or target in present:
                    continue
                rows[target] = (i, f"{draft.origin_at(i)}; alias of {name}")
            draft.rename(rows)
        return step


aliases = Aliases()

class Blacklist(ByName):
    """Undesired tags: the recipe's list and file (the user's word: always), and the shipped meta tags
    (watermark, signature, ...; off with prune_mode = "none")."""

    name = "blacklist"

    def why_for(self, ctx):
        mine, meta = ctx.compiled.blacklist, ctx.compiled.meta_blacklist
        if ctx.concept.rules.prune_mode == "none" or not meta:
            return (lambda name: "blacklisted" if name in mine else None) if mine else None
        if not mine:
            return lambda name: "meta tag (shipped blacklist)" if name in meta else None
        return lambda name: "blacklisted" if name in mine else "meta tag (shipped blacklist)" if name in meta else None


blacklist = Blacklist()
