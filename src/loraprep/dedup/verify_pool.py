"""The strict verification of many pairs spread over worker processes, which read every descriptor from one shared memory block."""

from __future__ import annotations

from typing import Sequence

import numpy as np

from loraprep.dedup.descriptor import Descriptor
from loraprep.dedup.verify import Verdict, compare_many

# Pairs a find must expect to verify before workers start: starting them costs about 0.3 s, the time of about
# 1,500 verifications; at 20,000 benchmark images 180,000 pairs are verified
PARALLEL_MIN = 8192
# A batch under this many pairs is verified here alone: sending it out would cost more than it saves
_SPLIT_MIN = 128

_SHARED: dict = {}          # in a worker: the attached block, the descriptors' offsets, those read so far


class VerifyPool:
    """compare() of pairs given by position in ``descriptors``; each batch split between this process and
    ``workers - 1`` worker processes. Falls back to this process alone where workers cannot start or die.

    The verification is made of many small numpy calls, so threads only queued on the GIL (40,000 pairs: 8.6 s
    on two threads, 9.0 s on one); processes each hold their own."""

    def __init__(self, descriptors: Sequence[Descriptor], workers: int, expected_pairs: int):
        self._descriptors = descriptors
        self._pool = None
        self._block = None
        self._helpers = max(0, workers - 1) if expected_pairs >= PARALLEL_MIN and len(descriptors) > 1 else 0

    def __enter__(self) -> "VerifyPool":
        if self._helpers:
            try:
                self._start()
            except (OSError, ValueError, ImportError):
                self._stop()
        return self

    def __exit__(self, *exc) -> None:
        self._stop()

    def compare(self, keepers: Sequence[int], members: Sequence[int]) -> list[Verdict]:
        """compare_many of (descriptors[keepers[i]], descriptors[members[i]]) for every i."""
        d = self._descriptors
        if self._pool is None or len(keepers) < _SPLIT_MIN:
            return compare_many([d[k] for k in keepers], [d[m] for m in members])
        from concurrent.futures.process import BrokenProcessPool

        bounds = np.linspace(0, len(keepers), self._helpers + 2).round().astype(int)
        parts = [(np.asarray(keepers[a:b], np.int64), np.asarray(members[a:b], np.int64))
                 for a, b in zip(bounds[:-1], bounds[1:])]
        try:
            futures = [self._pool.submit(_compare_positions, k, m) for k, m in parts[1:]]
        except (BrokenProcessPool, OSError, RuntimeError):     # workers could not start: this process alone
            self._stop()
            return compare_many([d[k] for k in keepers], [d[m] for m in members])
        out = compare_many([d[k] for k in parts[0][0]], [d[m] for m in parts[0][1]])
        for (k, m), future in zip(parts[1:], futures):
            try:
                out += _verdicts(future.result())
            except (BrokenProcessPool, OSError):   # a worker died (killed, out of memory): this process goes on alone
                self._stop()
                out += compare_many([d[i] for i in k], [d[i] for i in m])
        return out

    def _start(self) -> None:
        from multiprocessing.shared_memory import SharedMemory

        from loraprep.dedup.batch import _process_pool

        blobs = [d.to_bytes() for d in self._descriptors]
        offsets = np.zeros(len(blobs) + 1, np.int64)
        np.cumsum([len(b) for b in blobs], out=offsets[1:])
        self._block = SharedMemory(create=True, size=max(1, int(offsets[-1])))
        self._block.buf[: offsets[-1]] = b"".join(blobs)
        self._pool = _process_pool(self._helpers, _attach, (self._block.name, offsets))

    def _stop(self) -> None:
        pool, block, self._pool, self._block = self._pool, self._block, None, None
        try:
            if pool is not None:
                pool.shutdown(wait=True, cancel_futures=True)
        finally:
            if block is not None:
                block.close()
                block.unlink()


def _attach(name: str, offsets: np.ndarray) -> None:
    """Worker start: the descriptors' block, attached by name (read, never unlinked, here). The worker shares the
    starting process's resource tracker, so its attaching registers nothing new, and the block is unlinked once,
    by the process that made it."""
    from multiprocessing.shared_memory import SharedMemory

    _SHARED.update(block=SharedMemory(name=name), offsets=offsets, read={})


def _descriptor(at: int) -> Descriptor:
    read = _SHARED["read"]
    d = read.get(at)
    if d is None:
        offsets = _SHARED["offsets"]
        d = read[at] = Descriptor.from_bytes(_SHARED["block"].buf[offsets[at]: offsets[at + 1]])
    return d


def _compare_positions(keepers: np.ndarray, members: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """In a worker: the verdicts of the pairs, as (distances, flags: mirrored 1, cropped 2, cut-out 4)."""
    verdicts = compare_many([_descriptor(int(k)) for k in keepers], [_descriptor(int(m)) for m in members])
    distances = np.array([v.distance for v in verdicts], np.float64)
    flags = np.array([v.mirrored | v.cropped << 1 | v.cutout << 2 for v in verdicts], np.uint8)
    return distances, flags


def _verdicts(packed: tuple[np.ndarray, np.ndarray]) -> list[Verdict]:
    distances, flags = packed
    return [Verdict(float(d), bool(f & 1), bool(f & 2), bool(f & 4)) for d, f in zip(distances.tolist(), flags.tolist())]
