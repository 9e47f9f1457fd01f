"""Grouping without chaining: keepers in policy order, each member verified directly against its keeper."""

from __future__ import annotations

from typing import Callable, Iterable


def star_groups(order: list[int], candidates: dict[int, set[int]],
                accept: Callable[[int, int], object | None],
                never_member: Iterable[int] = ()) -> list[tuple[int, list[tuple[int, object]]]]:
    """[(keeper, [(member, verdict), ...]), ...].

    ``order`` lists items best keeper first; ``accept(keeper, member)`` returns a verdict or None.
    An item joins the first keeper (in ``order``) it is verified against; it never joins through
    another member, so A~B and B~C with A!~C cannot end up as one group unless both match the keeper.
    """
    assigned: set[int] = set()
    blocked = set(never_member)
    groups = []
    rank = {item: at for at, item in enumerate(order)}
    for keeper in order:
        if keeper in assigned:
            continue
        members = []
        for other in sorted(candidates.get(keeper, ()), key=rank.__getitem__):
            if other in assigned or other in blocked or other == keeper:
                continue
            verdict = accept(keeper, other)
            if verdict is not None:
                members.append((other, verdict))
                assigned.add(other)
        if members:
            assigned.add(keeper)
            groups.append((keeper, members))
    return groups
