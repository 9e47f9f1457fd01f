"""Worker processes for one large find: every descriptor in one shared memory block, each heavy step split between this process and them."""

from __future__ import annotations

import os
import threading
import time
from typing import Callable, Sequence

import numpy as np

from loraprep.dedup.descriptor import Descriptor
from loraprep.dedup.verify import Verdict, compare_many

# Descriptors a find must have before workers start: starting them costs about 0.3 s; a find of 2,000 benchmark
# images takes about 2 s, one of 20,000 about 60 s on one core
POOL_MIN = 4000
# Pairs each process gets of a batch at least: a smaller part costs more to send out than it saves (a batch
# of 200 pairs on 16 cores goes to three processes, not sixteen)
_SPLIT_MIN = 64

_SHM_FOLDER = "/dev/shm"     # where Linux keeps POSIX shared memory
_SHARED: dict = {}          # in a worker: the attached block, the descriptors' offsets, those read so far, its screen


class FindPool:
    """``workers - 1`` worker processes beside this one; ``split`` runs one part of a step here and the others in
    them. Falls back to this process alone where workers cannot start or die.

    The steps are made of many small numpy calls, so threads only queued on the GIL (40,000 verified pairs:
    8.6 s on two threads, 9.0 s on one); processes each hold their own."""

    def __init__(self, descriptors: Sequence[Descriptor], workers: int):
        self._descriptors = descriptors
        self._pool = None
        self._block = None
        self._starting: threading.Thread | None = None
        self._helpers = max(0, workers - 1) if len(descriptors) >= POOL_MIN else 0
        self._speeds: dict[str, list[float]] = {}      # step -> items per second of each process (see _balanced)

    def __enter__(self) -> "FindPool":
        # the workers start (fork server, shared block: about 0.3 s) while this process does the find's first,
        # serial, steps; the first step that splits waits for them
        if self._helpers:
            self._starting = threading.Thread(target=self._start_or_none, name="loraprep-find-pool", daemon=True)
            self._starting.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop()

    @property
    def parts(self) -> int:
        """Into how many parts a step is best split: one per process."""
        self._ready()
        return 1 if self._pool is None else self._helpers + 1

    def _start_or_none(self) -> None:
        try:
            self._start()
        except Exception:                       # noqa: BLE001 - no workers is a slower find, never a failed one
            self._stop_started()

    def _ready(self) -> None:
        starting, self._starting = self._starting, None
        if starting is not None:
            starting.join()

    def split(self, work: Callable, parts: Sequence[tuple], here: Callable | None = None,
              timed: list[float] | None = None) -> list:
        """[work(*part) for part in parts], parts[1:] in the workers while this process runs ``here(*parts[0])``
        (``here`` defaults to ``work``, a module-level function: the workers import it). ``timed`` receives the
        seconds each part took where it ran."""
        from concurrent.futures.process import BrokenProcessPool

        here = here or work
        self._ready()
        if self._pool is None or len(parts) < 2:
            return [here(*p) for p in parts]
        try:
            futures = [self._pool.submit(_timed, work, p) for p in parts[1:]]
        except (BrokenProcessPool, OSError, RuntimeError):     # workers could not start: this process alone
            self._stop()
            return [here(*p) for p in parts]
        out, seconds = _timed(here, parts[0])
        out, times = [out], [seconds]
        for part, future in zip(parts[1:], futures):
            try:
                result, seconds = future.result()
            except (BrokenProcessPool, OSError):   # a worker died (killed, out of memory): this process goes on alone
                self._stop()
                result, seconds = _timed(here, part)
            out.append(result)
            times.append(seconds)
        if timed is not None:
            timed[:] = times
        return out

    def compare(self, keepers: Sequence[int], members: Sequence[int]) -> list[Verdict]:
        """compare_many of (descriptors[keepers[i]], descriptors[members[i]]) for every i."""
        k, m = np.asarray(keepers, np.int64), np.asarray(members, np.int64)
        parts = max(1, min(self.parts, len(k) // _SPLIT_MIN))
        packed = self._balanced("compare", _compare_positions, self._compare_here, parts, k, m)
        return [v for part in packed for v in _verdicts(part)]

    def screened(self, screen, keepers: np.ndarray, members: np.ndarray) -> np.ndarray:
        """screen.passes of the pairs (``screen`` reads this find's descriptors), split over the processes."""
        k, m = np.asarray(keepers), np.asarray(members)
        return np.concatenate(self._balanced("screen", screen_passes, screen.passes, self.parts, k, m))

    def _balanced(self, step: str, work: Callable, here: Callable, parts: int, *arrays: np.ndarray) -> list:
        """split() of the arrays into ``parts`` runs, each process's run in proportion to the speed it showed at this
        step so far. The processes are not equally fast: a worker verified pairs 7-12% slower than this process
        (the same pairs, alone on an idle machine), which waited for it at the end of every batch."""
        speeds = self._speeds.setdefault(step, [0.0] * self.parts)
        known = [speed for speed in speeds[:parts] if speed > 0]
        share = np.array([speed or (sum(known) / len(known) if known else 1.0) for speed in speeds[:parts]])
        share /= share.sum()
        bounds = np.r_[0, np.round(np.cumsum(share) * len(arrays[0])).astype(int)]
        cut = [tuple(a[lo:hi] for a in arrays) for lo, hi in zip(bounds[:-1], bounds[1:])]
        times: list[float] = []
        out = self.split(work, cut, here=here, timed=times)
        for at, (seconds, run) in enumerate(zip(times, cut)):
            if seconds > 0.005 and len(run[0]):           # a run too short to time says nothing
                rate = len(run[0]) / seconds
                speeds[at] = rate if not speeds[at] else 0.7 * speeds[at] + 0.3 * rate
        return out

    def _compare_here(self, keepers: np.ndarray, members: np.ndarray):
        return _packed(compare_many([self._descriptors[k] for k in keepers.tolist()],
                                    [self._descriptors[m] for m in members.tolist()]))

    def _start(self) -> None:
        from multiprocessing.shared_memory import SharedMemory

        from loraprep.dedup.batch import _process_pool

        blobs = [d.to_bytes() for d in self._descriptors]
        offsets = np.zeros(len(blobs) + 1, np.int64)
        np.cumsum([len(b) for b in blobs], out=offsets[1:])
        if not _room_for(int(offsets[-1])):
            return
        self._block = SharedMemory(create=True, size=max(1, int(offsets[-1])))
        self._block.buf[: offsets[-1]] = b"".join(blobs)
        self._pool = _process_pool(self._helpers, _attach, (self._block.name, offsets))

    def _stop(self) -> None:
        self._ready()
        self._stop_started()

    def _stop_started(self) -> None:
        pool, block, self._pool, self._block = self._pool, self._block, None, None
        try:
            if pool is not None:
                pool.shutdown(wait=True, cancel_futures=True)
        finally:
            if block is not None:
                block.close()
                block.unlink()


def _timed(work: Callable, args: tuple) -> tuple[object, float]:
    """(work(*args), the seconds it took)."""
    start = time.perf_counter()
    result = work(*args)
    return result, time.perf_counter() - start


def _room_for(size: int) -> bool:
    """Whether the shared memory file system can take ``size`` bytes twice over. A container's /dev/shm is often
    64 MB, and writing past a full one kills the process (SIGBUS) instead of raising: 20,000 descriptors take 90 MB."""
    try:
        stat = os.statvfs(_SHM_FOLDER)
    except OSError:          # no such folder (macOS, Windows): shared memory is not a size-limited file system there
        return True
    return stat.f_bavail * stat.f_frsize >= 2 * size


def _contiguous(parts: int, *arrays: np.ndarray) -> list[tuple]:
    """The arrays (of one length) cut into ``parts`` contiguous runs of about equal length (neighbours in a batch
    share pictures, whose readings a part computes once)."""
    bounds = np.linspace(0, len(arrays[0]), parts + 1).round().astype(int)
    return [tuple(a[lo:hi] for a in arrays) for lo, hi in zip(bounds[:-1], bounds[1:])]


class SharedDescriptors:
    """In a worker: the find's descriptors as a read-only sequence, each built on first use from the shared block."""

    def __len__(self) -> int:
        return len(_SHARED["offsets"]) - 1

    def __getitem__(self, at: int) -> Descriptor:
        read = _SHARED["read"]
        d = read.get(at)
        if d is None:
            offsets = _SHARED["offsets"]
            d = read[at] = Descriptor.from_bytes(_SHARED["block"].buf[offsets[at]: offsets[at + 1]])
        return d


def _attach(name: str, offsets: np.ndarray) -> None:
    """Worker start: the descriptors' block, attached by name (read, never unlinked, here). The worker shares the
    starting process's resource tracker, so its attaching registers nothing new, and the block is unlinked once,
    by the process that made it."""
    from multiprocessing.shared_memory import SharedMemory

    _SHARED.update(block=SharedMemory(name=name), offsets=offsets, read={})


def _compare_positions(keepers: np.ndarray, members: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """In a worker: the verdicts of the pairs, packed (see _packed)."""
    shared = SharedDescriptors()
    return _packed(compare_many([shared[k] for k in keepers.tolist()], [shared[m] for m in members.tolist()]))


def screen_passes(keepers: np.ndarray, members: np.ndarray) -> np.ndarray:
    """In a worker: Screen.passes of the pairs, by a screen over the shared descriptors kept for the find."""
    from loraprep.dedup.screen import Screen

    screen = _SHARED.get("screen")
    if screen is None:
        screen = _SHARED["screen"] = Screen(SharedDescriptors())
    return screen.passes(keepers, members)


def _packed(verdicts: list[Verdict]) -> tuple[np.ndarray, np.ndarray]:
    """(distances, flags: mirrored 1, cropped 2, cut-out 4): a few bytes a pair to send back."""
    distances = np.array([v.distance for v in verdicts], np.float64)
    flags = np.array([v.mirrored | v.cropped << 1 | v.cutout << 2 for v in verdicts], np.uint8)
    return distances, flags


def _verdicts(packed: tuple[np.ndarray, np.ndarray]) -> list[Verdict]:
    distances, flags = packed
    return [Verdict(float(d), bool(f & 1), bool(f & 2), bool(f & 4)) for d, f in zip(distances.tolist(), flags.tolist())]
