"""What writing the rules' verdict on an image records in the journal (`curate --write`), and so what counts
as an image `curate` would change."""

from __future__ import annotations

# The trigger and fixed slots come from the recipe at every read; recording them would freeze today's trigger
# into the journal, and a later trigger change would leave the old one in every caption. Aliases stay live too:
# a renamed tag keeps its source's score only while the rename happens on read.
RECIPE_SLOTS = ("rule:trigger", "rule:fixed")
LIVE_RULES = ("aliases",)


def recorded_ops(verdict, base) -> list[tuple[str, str, str]]:
    """What writing the rules' verdict on one image records: (tag, op, origin) for each tag a rule removed from
    the image's own tags (not the user's, not a live rule's) and each tag a rule added (not a recipe slot)."""
    present = base.name_set  # a set: a 50,000-tag caption asked of a tuple was quadratic (17.9 s)
    ops = [(tag, "remove", f"rule:{rule}") for tag, rule, _why, by_user in verdict.dropped
           if not by_user and rule not in LIVE_RULES and tag in present]
    ops += [(name, "add", origin) for name, origin in verdict.added
            if origin not in RECIPE_SLOTS and "alias of" not in origin]
    return ops
