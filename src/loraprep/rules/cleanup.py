"""Rules that clean names: normalise spelling and merge duplicates, aliases / consolidation, blacklist."""

from __future__ import annotations

from dataclasses import replace

from loraprep.model.tagname import display_name
from loraprep.model.tags import Dropped
from loraprep.rules.base import rule, split_by


@rule("normalise")
def normalise(tags, ctx):
    """Underscores to spaces (kaomoji kept), lower case, trimmed; a repeated tag keeps its strongest copy."""
    names = [t.name for t in tags]
    if all_clean(names) and len(set(names)) == len(names):
        return tuple(tags), ()  # already clean: the usual case once tags are stored in display form
    merged: dict[str, object] = {}
    dropped = []
    for tag in tags:
        name = display_name(tag.name)
        tag = tag if name == tag.name else replace(tag, name=name)
        if not name:
            dropped.append(Dropped(tag, "normalise", "empty"))
        elif name not in merged:
            merged[name] = tag
        else:
            first = merged[name]
            best = first if (first.by_user, first.score or 0) >= (tag.by_user, tag.score or 0) else tag
            merged[name] = replace(best, pinned=first.pinned or tag.pinned)
            dropped.append(Dropped(first if best is tag else tag, "normalise", "duplicate"))
    return tuple(merged.values()), tuple(dropped)


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


@rule("aliases")
def aliases(tags, ctx):
    """Many -> one: a tag matching an alias pattern becomes its target (kept once, at the first position)."""
    table = ctx.compiled.aliases
    if not table:
        return tuple(tags), ()
    alias_of = ctx.compiled.alias_of  # memoised per name
    targets = [alias_of(t.name) for t in tags]
    if targets.count(None) == len(targets):
        return tuple(tags), ()
    names = {t.name for t in tags}
    out: dict[str, object] = {}
    dropped = []
    for tag, target in zip(tags, targets):  # protection is only asked of tags an alias matches
        if target is None or target == tag.name or ctx.protected(tag):
            out.setdefault(tag.name, tag)
            continue
        dropped.append(Dropped(tag, "aliases", f"-> {target}"))
        if target in ctx.user_removed or target in out or (target in names and target != tag.name):
            continue
        out[target] = replace(tag, name=target, origin=f"{tag.origin}; alias of {tag.name}")
    return tuple(out.values()), tuple(dropped)


@rule("blacklist")
def blacklist(tags, ctx):
    """Undesired tags: the recipe's list and file, and the shipped meta tags (watermark, signature, ...)."""
    if ctx.concept.rules.prune_mode == "none":
        return tuple(tags), ()
    return split_by(tags, ctx, "blacklist", blacklist_why(ctx), by_name=True)


def blacklist_why(ctx):
    """Per tag name: why the blacklist drops it, or None."""
    patterns = ctx.compiled.blacklist
    return lambda name: "blacklisted" if name in patterns else None
