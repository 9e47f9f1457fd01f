"""Grouping without chaining: keepers in policy order, each member verified directly against its keeper."""

from __future__ import annotations

from typing import Callable, Iterable, Sequence

BATCH = 2048      # pairs verified together (accept_many): numpy per batch, not per pair


def star_groups(order: list[int], candidates: dict[int, set[int]],
                accept: Callable[[int, int], object | None] | None = None,
                never_member: Iterable[int] = (),
                accept_many: Callable[[Sequence[tuple[int, int]]], Sequence[object | None]] | None = None,
                batch: int = BATCH) -> list[tuple[int, list[tuple[int, object]]]]:
    """[(keeper, [(member, verdict), ...]), ...].

    ``order`` lists items best keeper first; ``accept(keeper, member)`` returns a verdict or None
    (``accept_many(pairs)`` the same for many pairs at once). An item joins the first keeper (in
    ``order``) it is verified against; it never joins through another member, so A~B and B~C with
    A!~C cannot end up as one group unless both match the keeper.

    With ``accept_many`` the result is the same as with ``accept``, one keeper after another, but the
    pairs are verified ahead in batches: when a keeper needs a verdict not yet known, the pairs of the
    following keepers whose fate is already settled (no unfinished better-ranked candidate could still
    take them) are verified with it.
    """
    if accept_many is None:
        if accept is None:
            raise ValueError("star_groups needs accept or accept_many")
        accept_many = lambda pairs: [accept(k, m) for k, m in pairs]      # noqa: E731
        batch = 1
    assigned: set[int] = set()
    blocked = set(never_member)
    rank = {item: at for at, item in enumerate(order)}
    ordered = {item: sorted(candidates[item], key=rank.__getitem__) for item in order if candidates.get(item)}
    # an item without candidates never joins a group nor keeps one (candidates are symmetric): of 20,000
    # benchmark images three quarters, whose turns cost a third of the grouping's own time
    order = [item for item in order if item in ordered]
    known: dict[tuple[int, int], object | None] = {}
    asked: set[int] = set()          # keepers whose pairs were all verified ahead (their wanted pairs only shrink)
    held_by: dict[int, int] = {}     # item -> a better-ranked candidate that could still take it, when last looked

    def wanted(keeper: int) -> list[tuple[int, int]]:
        return [(keeper, other) for other in ordered[keeper]
                if other not in assigned and other not in blocked and other != keeper]

    def verify_ahead(start: int) -> None:
        """Verdicts for the keeper at ``start`` and for later keepers that are sure to be unassigned at their turn."""
        todo = [p for p in wanted(order[start]) if p not in known]
        unsettled: set[int] = set()      # unassigned items between here and the current position: may still be taken
        # a window of ``batch`` keepers: at 20,000 images four times as wide scanned twice the items for the same
        # 292 batches (the batches fill first)
        for at in range(start, min(len(order), start + batch + 1)):
            if len(todo) >= batch:
                break
            item = order[at]
            if item in assigned:
                continue
            if at > start and item not in asked:
                # an item is rescanned by many calls while a better-ranked candidate may still take it: the
                # candidate that held it back last time, if it still can, settles the question without a scan
                holder = held_by.get(item)
                if holder is None or holder not in unsettled:
                    holder = next(iter(unsettled.intersection(ordered[item])), None)
                    if holder is None:
                        todo += [p for p in wanted(item) if p not in known]
                        asked.add(item)
                    else:
                        held_by[item] = holder
            unsettled.add(item)
        for pair, verdict in zip(todo, accept_many(todo)):
            known[pair] = verdict

    groups = []
    for at, keeper in enumerate(order):
        if keeper in assigned:
            continue
        pairs = wanted(keeper)
        if any(p not in known for p in pairs):
            verify_ahead(at)
        members = []
        for pair in pairs:
            other = pair[1]
            if other in assigned:
                continue
            verdict = known.pop(pair)
            if verdict is not None:
                members.append((other, verdict))
                assigned.add(other)
        if members:
            assigned.add(keeper)
            groups.append((keeper, members))
    return groups
