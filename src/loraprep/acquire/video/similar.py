"""Similar-frame removal while extracting: each candidate against the pictures kept so far, by dedup's verification."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from loraprep.dedup.descriptor import Descriptor
from loraprep.dedup.verify import compare_many

RADIUS = 8            # Hamming radius of the candidate search, as dedup's own (dedup/find.py _near_candidates)
VERIFY_MOST = 8       # nearest kept pictures verified per frame (the previous kept frame always among them)


@dataclass(frozen=True)
class Match:
    """The kept picture a frame repeats, and how much of the picture changed (% as dedup's distance)."""

    key: str
    distance: float


class SimilarFilter:
    """The kept pictures' descriptors and codes; ``match`` says whether a new frame repeats one of them.

    The candidate search is dedup's: a frame is a candidate of a kept picture when their whole-frame codes,
    or a crop probe of one against the other's whole frame, are within RADIUS bits. With a few hundred to a
    few thousand kept pictures per concept a direct XOR over the code matrix costs microseconds, so the LSH
    index dedup builds for a million images is not needed here. The verdict is dedup.verify's compare, so
    "similar" here means what `loraprep dedup` means at the same threshold."""

    def __init__(self, limit: float) -> None:
        self.limit = limit
        self.keys: list[str] = []
        self.descriptors: list[Descriptor] = []
        self._codes = np.zeros((0, 1), np.uint64)

    def __len__(self) -> int:
        return len(self.keys)

    def add(self, key: str, descriptor: Descriptor) -> None:
        codes = np.asarray(descriptor.codes, np.uint64).reshape(1, -1)
        if len(self.keys) and codes.shape[1] != self._codes.shape[1]:
            width = min(codes.shape[1], self._codes.shape[1])
            self._codes, codes = self._codes[:, :width], codes[:, :width]
        self._codes = codes if not len(self.keys) else np.concatenate([self._codes, codes])
        self.keys.append(key)
        self.descriptors.append(descriptor)

    def rename(self, old: str, new: str) -> None:
        self.keys = [new if k == old else k for k in self.keys]

    def match(self, descriptor: Descriptor) -> Match | None:
        """The closest kept picture within the limit, or None. Flat (near-blank) pictures only match exactly."""
        if not self.keys:
            return None
        exact = [i for i, d in enumerate(self.descriptors) if d.pixel_key == descriptor.pixel_key]
        if exact:
            return Match(self.keys[exact[0]], 0.0)
        if descriptor.flat or self.limit <= 0:
            return None
        near = self._near(np.asarray(descriptor.codes, np.uint64))
        near = [i for i in near if not self.descriptors[i].flat]
        if not near:
            return None
        verdicts = compare_many([self.descriptors[i] for i in near], [descriptor] * len(near))
        best = min(range(len(near)), key=lambda at: verdicts[at].distance)
        if verdicts[best].distance <= self.limit:
            return Match(self.keys[near[best]], round(float(verdicts[best].distance), 3))
        return None

    def _near(self, codes: np.ndarray) -> list[int]:
        """Indexes of kept pictures within RADIUS bits (whole frame or crop probe, both ways), nearest first,
        plus the last kept one (the frame before in the same shot)."""
        width = min(len(codes), self._codes.shape[1])
        codes = codes[:width]
        kept = self._codes[:, :width]
        whole = np.bitwise_count(kept[:, 0] ^ codes[0])
        mine = np.bitwise_count(kept[:, :1] ^ codes[None, :]).min(axis=1)        # my probes vs their frames
        theirs = np.bitwise_count(kept ^ codes[0]).min(axis=1)                  # their probes vs my frame
        distance = np.minimum(whole, np.minimum(mine, theirs))
        order = [int(i) for i in np.argsort(distance, kind="stable") if distance[i] <= RADIUS][:VERIFY_MOST]
        last = len(self.keys) - 1
        if last not in order:
            order.append(last)
        return order
