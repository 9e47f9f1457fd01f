"""Turn encoded test pictures into DedupInput records."""

from __future__ import annotations

import hashlib

from loraprep.dedup import DedupInput, describe_bytes


def record(image_id, data: bytes, fmt: str = "PNG", concept: str = "", tier: str = "") -> DedupInput:
    d = describe_bytes(data)
    fmt = "WEBP_LOSSLESS" if fmt == "WEBP" else fmt
    return DedupInput(image_id, d, hashlib.sha256(data).hexdigest(), concept, d.width, d.height, fmt,
                      d.alpha is not None, len(data), tier)


def grouping(groups) -> dict:
    """image id -> keeper id for every grouped image (keepers map to themselves)."""
    out = {}
    for g in groups:
        out[g.keeper_id] = g.keeper_id
        for m in g.members:
            out[m.image_id] = g.keeper_id
    return out
