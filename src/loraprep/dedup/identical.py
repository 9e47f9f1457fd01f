"""Near-identical test for low-information pictures (mostly one colour): the pixels must agree, not just a share of them."""

from __future__ import annotations

from typing import Sequence

import numpy as np

from loraprep.dedup.descriptor import Descriptor, stacked_chroma

# Largest difference (0..255) any thumbnail pixel may show: a resize or a re-encode of the same pixels
# stays under it (box means of the same picture), a mark that moved or changed does not.
_PIXEL_TOL = 10.0
_CHANGED_AT = 4.0        # a pixel differing by more than this counts in the reported distance
NO_MATCH = 200.0         # the distance of a pair that is not near-identical (% changed: off any scale)


def near_identical(keepers: Sequence[Descriptor], members: Sequence[Descriptor]) -> list[tuple[float, bool]]:
    """(distance, mirrored) of every pair, read as the same pixels (plain or mirrored, no crop, no
    brightness change); distance NO_MATCH when some pixel differs by more than _PIXEL_TOL.

    On a picture that is mostly one colour, a changed share means little: another faint mark, a logo
    moved or two overlapping crops of one blank page change a few percent of the picture, under every
    threshold; a wrong exclusion loses a user's image, so only near-identical pixels are trusted."""
    if not keepers:
        return []
    luma_k = np.stack([d.luma for d in keepers]).astype(np.float32)
    luma_m = np.stack([d.luma for d in members]).astype(np.float32)
    chroma_k, chroma_m = stacked_chroma(keepers), stacked_chroma(members)
    out = []
    for mirrored in (False, True):
        lm = luma_m[..., ::-1] if mirrored else luma_m
        cm = chroma_m[..., ::-1] if mirrored else chroma_m
        luma_diff = np.abs(luma_k - lm)
        worst = np.maximum(luma_diff.max(axis=(1, 2)), np.abs(chroma_k - cm).max(axis=(1, 2, 3)))
        changed = 100.0 * (luma_diff > _CHANGED_AT).mean(axis=(1, 2))
        out.append(np.where(worst <= _PIXEL_TOL, changed, NO_MATCH))
    plain, mirror = out
    use_mirror = mirror < plain
    return [(round(float(min(p, m)), 1), bool(u)) for p, m, u in zip(plain, mirror, use_mirror)]
