"""A find's inputs as one digest, and its groups as plain rows: a dedup run whose inputs did not change reuses the last groups."""

from __future__ import annotations

import hashlib
import json
from functools import lru_cache
from pathlib import Path

from loraprep.dedup.descriptor import VERSION
from loraprep.dedup.find import DedupInput, DupGroup, DupMember
from loraprep.dedup.policy import KeeperPolicy, UserDecisions, resolve_threshold


def find_fingerprint(records: list[DedupInput], *, threshold: str | float, across_concepts: bool,
                     decisions: UserDecisions, policy: KeeperPolicy) -> str:
    """Digest of everything find_duplicate_groups reads: each record (its picture by content hash: a descriptor is
    a function of the file's bytes and the descriptor version), the settings, the user's decisions, the keeper
    policy, and the dedup code itself (an upgrade that changes a verdict must not reuse the old groups)."""
    digest = hashlib.sha256(_code_digest().encode())
    settings = [resolve_threshold(threshold), across_concepts, list(policy.order),
                sorted((str(k), v) for k, v in policy.tier_rank.items()),
                sorted(map(str, decisions.keep)), sorted(sorted(map(str, s)) for s in decisions.split),
                sorted((str(k), str(v)) for k, v in decisions.family.items())]
    digest.update(json.dumps(settings).encode())
    for r in records:
        if not r.sha256:             # a picture known by its descriptor only: its content is the descriptor
            digest.update(hashlib.sha256(r.descriptor.to_bytes()).digest())
        digest.update(repr((r.image_id, r.sha256, r.concept, r.width, r.height, r.format, r.has_alpha, r.file_size,
                            r.tier, r.user_tags)).encode())
    return digest.hexdigest()


@lru_cache(maxsize=1)
def _code_digest() -> str:
    from loraprep import __version__

    # the sources where they are files (an installed package); the version where they are not (a frozen build)
    digest = hashlib.sha256(f"{__version__} {VERSION}".encode())
    for path in sorted(Path(__file__).parent.glob("*.py")):
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


def groups_to_rows(groups: list[DupGroup]) -> list:
    """The groups as JSON-ready lists."""
    return [[g.group_id, g.keeper_id, [[m.image_id, m.distance, m.why, m.exclude, m.reason] for m in g.members]]
            for g in groups]


def groups_from_rows(rows: list) -> list[DupGroup]:
    """groups_to_rows, read back."""
    return [DupGroup(group_id, keeper_id, tuple(DupMember(*member) for member in members))
            for group_id, keeper_id, members in rows]
