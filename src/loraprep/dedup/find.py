"""The pure dedup entry point: records with descriptors in, duplicate groups (keeper + verified members) out."""

from __future__ import annotations

import hashlib
from collections import defaultdict
from dataclasses import dataclass

import numpy as np

from loraprep.dedup.cutout_search import cutout_candidates
from loraprep.dedup.descriptor import Descriptor
from loraprep.dedup.group import star_groups
from loraprep.dedup.policy import KeeperPolicy, UserDecisions, reason, resolve_threshold, why_text
from loraprep.dedup.screen import Screen
from loraprep.dedup.search import CodeIndex
from loraprep.dedup.threads import cores, one_blas_thread
from loraprep.dedup.find_pool import FindPool



@dataclass(frozen=True)
class DedupInput:
    """One file as dedup sees it. ``image_id`` is the caller's id for the file (unique per file);
    ``sha256`` is the hash of its bytes (byte-identical files share it)."""

    image_id: object
    descriptor: Descriptor
    sha256: str = ""
    concept: str = ""
    width: int = 0
    height: int = 0
    format: str = ""
    has_alpha: bool = False
    file_size: int = 0
    tier: str = ""
    user_tags: bool = False    # a caption file or the user's edits: the keeper's tie-break after the pixels


@dataclass(frozen=True)
class DupMember:
    image_id: object
    distance: float        # % of the picture that differs from the keeper (0 for exact copies)
    why: str               # 'exact bytes' | 'exact pixels' | 'near: mirrored, cropped, ...'
    exclude: bool          # False for a copy in another concept when across_concepts is off
    reason: str            # 'duplicate of <keeper> (<why>, distance d)'


@dataclass(frozen=True)
class DupGroup:
    group_id: str          # stable: derived from the keeper id
    keeper_id: object
    members: tuple[DupMember, ...]


def group_id_for(keeper_id) -> str:
    return "g" + hashlib.sha256(str(keeper_id).encode()).hexdigest()[:10]


def find_duplicate_groups(records: list[DedupInput], *, threshold: str | float = "default",
                          across_concepts: bool = False, decisions: UserDecisions = UserDecisions(),
                          policy: KeeperPolicy = KeeperPolicy()) -> list[DupGroup]:
    """Exact and near-duplicate groups among ``records``; pure (no IO), deterministic."""
    limit = resolve_threshold(threshold)
    items = [_filled(r) for r in records]
    n = len(items)
    if n < 2:
        return []
    descriptors = [r.descriptor for r in items]
    with FindPool(descriptors, cores()) as pool:
        return _grouped(items, descriptors, pool, limit, across_concepts, decisions, policy)


def _grouped(items: list[DedupInput], descriptors: list[Descriptor], pool: FindPool, limit: float,
             across_concepts: bool, decisions: UserDecisions, policy: KeeperPolicy) -> list[DupGroup]:
    n = len(items)
    screen = Screen(descriptors)
    near = _near_candidates(descriptors, pool)
    # the cheap screen first (screen.py): half the pairs the codes propose at 2,000 images never reach the strict test
    with one_blas_thread():                          # small products: a BLAS pool tripled their CPU time
        near = near[screen.plausible(near[:, 0], near[:, 1], lambda k, m: pool.screened(screen, k, m))]
    candidates: dict[int, set[int]] = defaultdict(set, _adjacency(near))
    exact: dict[tuple[int, int], str] = {}
    for kind, key in (("exact bytes", lambda r: r.sha256), ("exact pixels", lambda r: r.descriptor.pixel_key)):
        buckets: dict[object, list[int]] = defaultdict(list)
        for pos, r in enumerate(items):
            k = key(r)
            if k:
                buckets[k].append(pos)
        for members in buckets.values():
            for a in members:
                for b in members:
                    if a != b:
                        exact.setdefault((a, b), kind)
                        candidates[a].add(b)

    ids = [r.image_id for r in items]
    forced = {pos for pos, r in enumerate(items) if r.image_id in decisions.keep}
    ranked = sorted(range(n), key=lambda p: (0 if p in forced else 1, policy.rank_key(items[p])))

    may_forbid = bool(decisions.family or decisions.split)        # most runs: no decision to consult per pair

    def accept_many(pairs):
        """A verdict (or None) for every (keeper, member) pair: exact copies and refusals first, then
        every pair that needs the strict verification in one compare_many call."""
        out: list[object] = [None] * len(pairs)
        near = []
        for at, (k, m) in enumerate(pairs):
            ka, kb = items[k], items[m]
            if may_forbid and decisions.forbids(ka.image_id, kb.image_id):
                continue
            same_concept = ka.concept == kb.concept
            kind = exact.get((k, m))
            if kind is not None:
                out[at] = (kind, (), 0.0, same_concept or across_concepts)
            elif (same_concept or across_concepts) and limit > 0 and not (ka.descriptor.flat or kb.descriptor.flat):
                near.append(at)                                         # threshold 0: exact copies only
        with one_blas_thread():
            verdicts = pool.compare([pairs[at][0] for at in near], [pairs[at][1] for at in near])
        for at, v in zip(near, verdicts):
            if v.distance <= limit:
                k, m = pairs[at]
                out[at] = ("near", _details(items[k], items[m], v), v.distance, True)
        return out

    groups = []
    for keeper, members in star_groups(ranked, candidates, never_member=forced, accept_many=accept_many):
        kid = ids[keeper]
        out = []
        for m, (kind, details, distance, exclude) in members:
            why = why_text(kind, details)
            out.append(DupMember(ids[m], distance, why, exclude, reason(kid, why, distance)))
        groups.append(DupGroup(group_id_for(kid), kid, tuple(out)))
    return groups


_PROBE_KEEP = 64


def candidate_index() -> CodeIndex:
    """The code index dedup searches with (also what benchmarks/dedup_search.py measures at 1,000,000)."""
    # 64 nearest crop-probe hits per picture: at 20,000 images (benchmarks/dedup.py) the find stage
    # took 65 s instead of 78 s with every crop_* recall within 0.002; 32 lost 0.022 on crop_corner.
    # Crop probes reach 10 bits (tables planned for 8): a corner crop of a drawing cut 13% off one
    # dimension and 5% off the other lands 9-10 bits from its nearest probe; at 2,000 images crop_corner
    # recall went from 0.879 to 0.926, and the screen (screen.py) drops the extra pairs it brings
    return CodeIndex(radius=8, probe_radius=10, probe_keep=_PROBE_KEEP, plan_radius=8)


def _near_candidates(descriptors: list[Descriptor], pool: FindPool | None = None) -> np.ndarray:
    """(m, 2) positions of the pairs the codes (and the cut-out search) propose, each pair once or more."""
    # the cut-out search first: it runs here alone, while the pool's workers start
    cutouts = cutout_candidates(descriptors)
    usable = np.array([p for p, d in enumerate(descriptors) if not d.flat], np.int64)
    found = [np.zeros((0, 2), np.int64)]
    if len(usable) >= 2:
        index = candidate_index()
        codes = np.stack([descriptors[p].codes for p in usable])
        index.add(codes[:, 0], codes)
        spread = pool.split if pool is not None else None
        found.append(usable[index.pairs(spread=spread, parts=pool.parts if pool is not None else 1)[:, :2]])
    if cutouts:
        found.append(np.array(sorted(cutouts), np.int64))
    return np.concatenate(found)


def _adjacency(pairs: np.ndarray) -> dict[int, set[int]]:
    """position -> the positions it is paired with (both ways), built with one sort rather than a set add per pair."""
    both = np.concatenate([pairs, pairs[:, ::-1]])
    both = both[both[:, 0] != both[:, 1]]
    if not len(both):
        return {}
    both = both[np.lexsort((both[:, 1], both[:, 0]))]
    starts = np.flatnonzero(np.r_[True, both[1:, 0] != both[:-1, 0]])
    return {head: set(tail.tolist()) for head, tail in zip(both[starts, 0].tolist(), np.split(both[:, 1], starts[1:]))}


def _details(keeper: DedupInput, member: DedupInput, verdict) -> tuple[str, ...]:
    out = []
    if verdict.cutout:
        out.append("alpha cut-out")
    if verdict.mirrored:
        out.append("mirrored")
    if verdict.cropped:
        out.append("cropped")
    elif (member.width, member.height) != (keeper.width, keeper.height):
        out.append("resized")
    if (member.format or "").upper() != (keeper.format or "").upper():
        out.append(f"{member.format or '?'} vs {keeper.format or '?'}")
    return tuple(out) or ("edited",)


def _filled(r: DedupInput) -> DedupInput:
    """Width/height/alpha default to the descriptor's when the caller left them empty."""
    if r.width and r.height:
        return r
    from dataclasses import replace

    return replace(r, width=r.width or r.descriptor.width, height=r.height or r.descriptor.height,
                   has_alpha=r.has_alpha or r.descriptor.alpha is not None)
