"""A find's worker processes: the same verdicts, screen and search as one process, the shared block removed after,
and a pool that cannot start or loses a worker still answers every pair."""

from __future__ import annotations

from multiprocessing.shared_memory import SharedMemory

import pytest

from loraprep.dedup import describe_bytes
from loraprep.dedup import find_pool
from loraprep.dedup.verify import compare_many
from loraprep.dedup.find_pool import FindPool
from tests.dedup.scenes import family, variant

KINDS = ("resize", "jpeg60", "crop", "bright", "mirror", "cutout", "watermark")


@pytest.fixture(scope="module")
def pictures():
    descriptors = []
    for seed in (11, 12, 13):
        base, mask, pose2, dress, back = family(seed)
        descriptors += [describe_bytes(variant(base, mask, "webp")[0])]
        descriptors += [describe_bytes(variant(base, mask, kind)[0]) for kind in KINDS]
        descriptors += [describe_bytes(variant(img, mask, "jpeg60")[0]) for img in (pose2, dress, back)]
    n = len(descriptors)
    keepers = [a for a in range(n) for b in range(n) if a != b]
    members = [b for a in range(n) for b in range(n) if a != b]
    return descriptors, keepers, members


def _alone(descriptors, keepers, members):
    return compare_many([descriptors[k] for k in keepers], [descriptors[m] for m in members])


@pytest.fixture
def small_batches(monkeypatch):
    monkeypatch.setattr(find_pool, "POOL_MIN", 2)
    monkeypatch.setattr(find_pool, "_SPLIT_MIN", 8)


def test_workers_give_the_verdicts_one_process_gives(pictures, small_batches):
    descriptors, keepers, members = pictures
    want = _alone(descriptors, keepers, members)
    with FindPool(descriptors, workers=3) as pool:
        assert pool.parts == 3 and pool._pool is not None          # parts: once the workers have started
        name = pool._block.name
        got = pool.compare(keepers, members)
        again = pool.compare(keepers[::-1], members[::-1])
    assert got == want
    assert again == want[::-1]
    assert sum(v.distance <= 2.5 for v in want) >= 3 * len(KINDS)          # the pairs hold real duplicates
    with pytest.raises(FileNotFoundError):
        SharedMemory(name=name)                                             # unlinked with the pool


def test_a_small_find_starts_no_workers(pictures):
    descriptors, keepers, members = pictures
    with FindPool(descriptors, workers=4) as pool:
        assert pool.parts == 1 and pool._pool is None
        assert pool.compare(keepers[:50], members[:50]) == _alone(descriptors, keepers[:50], members[:50])


def test_workers_that_cannot_start_leave_this_process_to_answer(pictures, small_batches, monkeypatch):
    import loraprep.dedup.batch as batch

    descriptors, keepers, members = pictures

    def refuse(*args, **kwargs):
        raise OSError("no processes here")

    monkeypatch.setattr(batch, "_process_pool", refuse)
    with FindPool(descriptors, workers=2) as pool:
        assert pool.parts == 1 and pool._pool is None and pool._block is None
        assert pool.compare(keepers, members) == _alone(descriptors, keepers, members)


def test_a_killed_worker_costs_no_verdict(pictures, small_batches):
    import os
    import signal

    descriptors, keepers, members = pictures
    want = _alone(descriptors, keepers, members)
    with FindPool(descriptors, workers=2) as pool:
        assert pool.compare(keepers[:40], members[:40]) == want[:40]        # the worker is up
        for pid in list(pool._pool._processes):
            os.kill(pid, signal.SIGKILL)
        assert pool.compare(keepers, members) == want
        assert pool._pool is None


def test_workers_screen_and_search_as_one_process_does(pictures, small_batches):
    import numpy as np

    from loraprep.dedup.find import candidate_index
    from loraprep.dedup.screen import Screen

    descriptors, keepers, members = pictures
    k, m = np.array(keepers), np.array(members)
    alone = Screen(descriptors).passes(k, m)
    codes = np.stack([d.codes for d in descriptors])
    index = candidate_index()
    index.add(codes[:, 0], codes)
    pairs_alone = index.pairs()
    with FindPool(descriptors, workers=3) as pool:
        assert pool.parts == 3
        np.testing.assert_array_equal(pool.screened(Screen(descriptors), k, m), alone)
        np.testing.assert_array_equal(index.pairs(spread=pool.split, parts=pool.parts), pairs_alone)
    assert len(pairs_alone) >= len(descriptors) // 2


def test_a_find_with_workers_groups_as_one_without(small_batches, monkeypatch):
    from loraprep.dedup import find_duplicate_groups
    from tests.dedup.helpers import record

    recs = []
    for seed in (21, 22, 23, 24):
        base, mask, pose2, dress, back = family(seed)
        recs += [record(f"{seed}-{kind}", *variant(base, mask, kind)) for kind in ("webp",) + KINDS]
        recs += [record(f"{seed}-pose", *variant(pose2, mask, "jpeg60"))]
    monkeypatch.setenv("LORAPREP_WORKERS", "2")
    with_workers = find_duplicate_groups(recs)
    monkeypatch.setenv("LORAPREP_WORKERS", "1")
    assert find_duplicate_groups(recs) == with_workers
    assert sum(len(g.members) for g in with_workers) >= 4 * (len(KINDS) - 1)


def test_a_full_shared_memory_folder_leaves_the_find_to_this_process(pictures, small_batches, monkeypatch, tmp_path):
    import os

    descriptors, keepers, members = pictures
    real = os.statvfs

    class Full:
        f_bavail, f_frsize = 10, 4096

    monkeypatch.setattr(os, "statvfs", lambda path: Full() if path == find_pool._SHM_FOLDER else real(path))
    with FindPool(descriptors, workers=2) as pool:
        assert pool.parts == 1 and pool._pool is None and pool._block is None
        assert pool.compare(keepers, members) == _alone(descriptors, keepers, members)
    monkeypatch.setattr(os, "statvfs", real)
    monkeypatch.setattr(find_pool, "_SHM_FOLDER", str(tmp_path / "nowhere"))
    with FindPool(descriptors, workers=2) as pool:                   # no such folder: not a limited file system
        assert pool.parts == 2


def test_workers_that_fail_to_start_in_any_way_leave_no_trace(pictures, small_batches, monkeypatch, capfd):
    import loraprep.dedup.batch as batch

    descriptors, keepers, members = pictures

    def broken(*args, **kwargs):
        raise RuntimeError("not today")

    monkeypatch.setattr(batch, "_process_pool", broken)
    with FindPool(descriptors, workers=2) as pool:
        assert pool.compare(keepers[:300], members[:300]) == _alone(descriptors, keepers[:300], members[:300])
        assert pool.parts == 1 and pool._block is None
    assert "Traceback" not in capfd.readouterr().err
