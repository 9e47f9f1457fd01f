"""The packed path's array steps that are more than a lookup: overlap's implications, the trigger's slots and
the caption order, max_tags' cut (each mirrors its rule in overlap.py / arrange.py, on all images at once)."""

from __future__ import annotations

import numpy as np


def _expand(starts: np.ndarray, ends: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """For ranges [starts[k], ends[k]): (k of each element, the element), all ranges concatenated."""
    lengths = ends - starts
    owner = np.repeat(np.arange(len(starts)), lengths)
    offsets = np.concatenate([[0], np.cumsum(lengths)])[:-1]
    return owner, np.arange(lengths.sum()) - offsets[owner] + starts[owner]


def distinct(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The sorted distinct values and how often each occurs (np.unique's hashing is slow on 10^7 int64s)."""
    ordered = np.sort(values)
    lead = np.flatnonzero(np.concatenate([[True], ordered[1:] != ordered[:-1]])) if len(ordered) else np.zeros(0, int)
    return ordered[lead], np.diff(np.concatenate([lead, [len(ordered)]]))


def _present(keys: np.ndarray, wanted: np.ndarray) -> np.ndarray:
    """Which of ``wanted`` are in the sorted ``keys``."""
    if not len(keys):
        return np.zeros(len(wanted), dtype=bool)
    at = np.minimum(np.searchsorted(keys, wanted), len(keys) - 1)
    return keys[at] == wanted


def implied_by(rows, tables) -> np.ndarray:
    """Per row, the id of the first present name that implies it (``implied_tags``), or -1.

    Present: the image's rows, then the fixed slots it lacks (they will be in the caption). A name implies what
    the user's overlap file lists for it, else the names it contains; character, copyright and artist names
    only by the file.
    """
    size = len(tables.vocab)
    fixed = tables.fixed_ids
    row_keys = rows.image * size + rows.ids
    sorted_rows = np.sort(row_keys)
    extra_image = np.repeat(np.arange(rows.count), len(fixed))
    extra_ids = np.tile(fixed, rows.count)
    lacking = ~_present(sorted_rows, extra_image * size + extra_ids)
    extra_image, extra_ids = extra_image[lacking], extra_ids[lacking]
    image = np.concatenate([rows.image, extra_image])
    ids = np.concatenate([rows.ids, extra_ids])
    order = np.arange(len(ids))                       # rows first, then the slots: the order names imply in
    keys = np.sort(image * size + ids)
    able = tables.may_imply[ids]
    image, ids, order = image[able], ids[able], order[able]
    owner, at = _expand(tables.rel_start[ids], tables.rel_start[ids + 1])
    target_keys = image[owner] * size + tables.rel_target[at]
    hit = _present(keys, target_keys)
    target_keys, owner = target_keys[hit], owner[hit]
    found = np.full(len(rows.ids), -1, dtype=np.int64)
    if not len(target_keys):
        return found
    first = np.argsort(target_keys, kind="stable")   # candidates come in ``order``: the first implier leads
    target_keys, owner = target_keys[first], owner[first]
    leading = np.concatenate([[True], target_keys[1:] != target_keys[:-1]])
    target_keys, implier = target_keys[leading], ids[owner[leading]]
    at = np.minimum(np.searchsorted(target_keys, row_keys), len(target_keys) - 1)
    match = target_keys[at] == row_keys
    found[match] = implier[at[match]]
    return found


def reorder(rows, tables, mode: str | None, *, slots: bool) -> np.ndarray | None:
    """``slots``: the trigger's step (the fixed slots first, a row of the same name moving there with its score).
    Else the order rule: rows after the leading fixed names sorted by people count / character / copyright,
    then the mode's key (score highest first, a missing score as 1.0; alphabetical; anything else as is).
    The trigger's step returns, per image and slot, whether the image had that name already."""
    position = rows.position()
    if slots:
        slot_ids, count = tables.slot_ids, rows.count
        width = len(slot_ids)
        which = np.full(len(tables.vocab), -1, dtype=np.int64)
        which[slot_ids] = np.arange(width)
        slot_of = which[rows.ids]
        is_slot = slot_of >= 0
        had = np.zeros((count, width), dtype=bool)       # an image names each slot at most once (else deferred)
        had[rows.image[is_slot], slot_of[is_slot]] = True
        slot_scores = np.full((count, width), np.nan)
        slot_scores[rows.image[is_slot], slot_of[is_slot]] = rows.scores[is_slot]
        rest = ~is_slot
        rest_image = rows.image[rest]
        rest_count = np.bincount(rest_image, minlength=count)
        start = np.concatenate([[0], np.cumsum(rest_count + width)])[:-1]   # each image: its slots, its rest
        rest_start = np.concatenate([[0], np.cumsum(rest_count)])[:-1]
        total = len(rest_image) + count * width
        image, ids, scores = (np.empty(total, dtype=np.int64), np.empty(total, dtype=np.int64), np.empty(total))
        at = (start[:, None] + np.arange(width)).ravel()
        image[at], ids[at], scores[at] = np.repeat(np.arange(count), width), np.tile(slot_ids, count), slot_scores.ravel()
        at = start[rest_image] + width + np.arange(len(rest_image)) - rest_start[rest_image]
        image[at], ids[at], scores[at] = rest_image, rows.ids[rest], rows.scores[rest]
        rows.image, rows.ids, rows.scores = image, ids, scores
        return had                                    # per image and slot: whether the image had that name
    in_fixed = tables.in_fixed[rows.ids]
    first_body = np.full(rows.count, np.iinfo(np.int64).max)
    np.minimum.at(first_body, rows.image[~in_fixed], position[~in_fixed])
    body = position >= first_body[rows.image]
    if mode == "score":
        key = np.where(np.isnan(rows.scores), -1.0, -rows.scores)
    elif mode == "alphabetical":
        key = tables.alphabetical()[rows.ids].astype(float)
    else:
        key = np.zeros(len(rows.ids))
    key = np.where(body, key, 0.0)
    rank = np.where(body, tables.rank[rows.ids], -1)
    # (image, body, rank, key, position): stable sorts from the least significant key (rows come in position order)
    first = np.argsort(key, kind="stable")
    major = (rows.image * 2 + body) * 5 + rank + 1
    ordered = first[np.argsort(major[first], kind="stable")]
    rows.image, rows.ids, rows.scores = rows.image[ordered], rows.ids[ordered], rows.scores[ordered]


def max_tags_gone(rows, tables, limit: int) -> np.ndarray:
    """The rows max_tags cuts: from each image's end, names that count no people and are not protected, until
    the image has ``limit`` rows or none of those are left."""
    lengths = np.bincount(rows.image, minlength=rows.count)
    over = lengths - limit
    able = ~tables.people[rows.ids] & ~tables.protected[rows.ids]
    running = np.cumsum(able)
    starts = np.concatenate([[0], np.cumsum(lengths)])[:-1]
    before = np.concatenate([[0], running])[starts]          # able rows of the earlier images
    total = np.bincount(rows.image, weights=able, minlength=rows.count).astype(np.int64)
    from_end = total[rows.image] - (running - before[rows.image]) + able   # able rows at or after this one
    return able & (from_end <= over[rows.image])
