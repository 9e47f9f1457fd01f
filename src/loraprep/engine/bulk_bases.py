"""Tags before rules for a chunk of score sets, on arrays: the tagger's rows past their category's threshold, and
for an image whose journal says only "imported from a caption file", those names first (file order) and then the
tagger's others: what ``rules.effective.lean_base`` gives such images. Images with anyone's edits are listed for
lean_base itself.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np


class ChunkRows(NamedTuple):
    image: np.ndarray     # per row: the image's number
    ids: np.ndarray       # per row: name id
    scores: np.ndarray    # per row: score, NaN where no stored score backs the name
    by_hand: list[int]    # positions in the chunk of the images lean_base must build
    imported: list[int]   # image numbers built here from an import (their provenance is rebuilt on demand)


def only_imported(states) -> bool:
    """Whether the journal's word on an image is caption imports alone (no user edit, no written rule)."""
    return all(s.user is None and s.rule is None for s in states.values())


def chunk_rows(chunk, images: np.ndarray, states: dict, setting, vocab, to_name: np.ndarray, cuts: np.ndarray,
               shared_name: np.ndarray) -> ChunkRows:
    """``images``: each score set's image number (-1: no active file shows it). ``setting``: (thresholds
    packable, tagger use). ``to_name``: store tag id -> name id; ``shared_name``: per name id, whether several
    store ids (categories) spell it, where the tagger's score of a name is not one row."""
    packable, use = setting
    lengths = chunk.lengths
    count = len(chunk.image_ids)
    kind = np.zeros(count, dtype=np.int8)       # 0 the tagger's rows, 1 imports then the tagger's, 2 by hand
    silent = np.zeros(count, dtype=bool)        # the recipe's [tagger] use keeps the tagger's tags off
    numbers = images.tolist()
    spoken = [at for at, image_id in enumerate(chunk.image_ids) if image_id in states and numbers[at] >= 0]
    if not packable:
        spoken = [at for at in range(count) if numbers[at] >= 0]
    by_hand, merged, quiet, imp_image, imp_names = [], [], [], [], []
    for at in spoken:
        said = states.get(chunk.image_ids[at])
        if not packable or not only_imported(said):
            by_hand.append(at)
            continue
        names = [n for n, s in said.items() if s.imported]
        merged.append(at)
        if use == "if-empty" and names:
            quiet.append(at)
        imp_image += [numbers[at]] * len(names)
        imp_names += names
    kind[merged], kind[by_hand], silent[quiet] = 1, 2, True
    if use == "never":
        silent[:] = True
    imp_image = np.array(imp_image, dtype=np.int64)
    imp_ids = np.array(vocab.ids(imp_names), dtype=np.int64)
    ids = to_name[chunk.tag_ids]
    row_image = np.repeat(images, lengths)
    # A name several store ids spell (one per category): lean_base finds its score and merges its copies.
    # (Names first met in a caption are in no store id: never shared.)
    shared_name = np.concatenate([shared_name, np.zeros(len(vocab) - len(shared_name), dtype=bool)])
    unsure = np.concatenate([imp_image[shared_name[imp_ids]],
                             row_image[(np.repeat(kind, lengths) == 1) & shared_name[ids]]])
    if len(unsure):
        kind[np.isin(images, unsure) & (kind == 1)] = 2
        sure = ~np.isin(imp_image, unsure)
        imp_image, imp_ids = imp_image[sure], imp_ids[sure]
    row_kind = np.repeat(kind, lengths)
    passing = (row_image >= 0) & (row_kind < 2) & ~np.repeat(silent, lengths) & (chunk.scores >= cuts[chunk.tag_ids])
    size = max(len(vocab), 1)
    # Imported names: the stored score where the image has one (below the threshold too), else none.
    stored = row_kind == 1
    stored_keys = row_image[stored] * size + ids[stored]
    order = np.argsort(stored_keys, kind="stable")
    stored_keys, stored_scores = stored_keys[order], chunk.scores[stored][order]
    imp_keys = imp_image * size + imp_ids
    at = np.minimum(np.searchsorted(stored_keys, imp_keys), max(len(stored_keys) - 1, 0))
    found = stored_keys[at] == imp_keys if len(stored_keys) else np.zeros(len(imp_keys), dtype=bool)
    imp_scores = np.where(found, stored_scores[at] if len(stored_keys) else np.nan, np.nan)
    # The tagger's rows of an image with imports: those the caption file did not name, after them.
    with_imports = np.flatnonzero(passing & (row_kind == 1))
    sorted_imp = np.sort(imp_keys)
    tagger_keys = row_image[with_imports] * size + ids[with_imports]
    at = np.minimum(np.searchsorted(sorted_imp, tagger_keys), max(len(sorted_imp) - 1, 0))
    named = (sorted_imp[at] == tagger_keys) if len(sorted_imp) else np.zeros(len(tagger_keys), dtype=bool)
    passing[with_imports[named]] = False
    image = np.concatenate([imp_image, row_image[passing]])
    group = np.concatenate([np.zeros(len(imp_image), dtype=np.int8), np.ones(passing.sum(), dtype=np.int8)])
    ordered = np.argsort(image * 2 + group, kind="stable")   # each part keeps its own order
    return ChunkRows(image[ordered], np.concatenate([imp_ids, ids[passing]])[ordered],
                     np.concatenate([imp_scores, chunk.scores[passing]])[ordered],
                     np.flatnonzero((kind == 2) & (images >= 0)).tolist(),
                     images[(kind == 1) & (images >= 0)].tolist())
