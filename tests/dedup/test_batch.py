"""Describing many files: in order, bad files give their reason, worker processes and threads agree."""

from __future__ import annotations

import pytest

from loraprep.dedup import Descriptor, describe_file
from loraprep.dedup import batch
from tests.dedup.scenes import family, png


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    root = tmp_path_factory.mktemp("batch")
    base, *_ = family(3)
    paths = []
    for i in range(6):
        path = root / f"img{i}.png"
        path.write_bytes(png(base.rotate(15 * i)))
        paths.append(path)
    (root / "broken.png").write_bytes(png(base)[:300])
    (root / "empty.jpg").write_bytes(b"")
    return paths[:3] + [root / "broken.png"] + paths[3:] + [root / "empty.jpg"]


def _check(folder, results):
    assert len(results) == len(folder)
    for path, (blob, error) in zip(folder, results):
        if path.name in ("broken.png", "empty.jpg"):
            assert blob is None and error, path.name
        else:
            assert error is None
            assert Descriptor.from_bytes(blob).to_bytes() == describe_file(path).to_bytes(), path.name
    assert "truncated" in results[3][1] and "empty" in results[-1][1]


def test_threads_keep_order_and_reasons(folder):
    _check(folder, list(batch.describe_paths(folder, workers=2)))


def test_worker_processes_give_the_same_answers(folder, monkeypatch):
    monkeypatch.setattr(batch, "PROCESS_MIN", 1)
    started = []
    real = batch._process_pool
    monkeypatch.setattr(batch, "_process_pool", lambda n: started.append(n) or real(n))
    _check(folder, list(batch.describe_paths(folder, workers=2)))
    assert started == [2]


def test_workers_that_cannot_start_fall_back_to_threads(folder, monkeypatch):
    class Broken(batch.ProcessPoolExecutor):
        def map(self, fn, *iterables, **kw):
            raise batch.BrokenProcessPool("cannot bootstrap")

    monkeypatch.setattr(batch, "PROCESS_MIN", 1)
    monkeypatch.setattr(batch, "_process_pool", lambda n: Broken(max_workers=1))
    _check(folder, list(batch.describe_paths(folder, workers=2)))


def test_nothing_to_do():
    assert list(batch.describe_paths([], workers=2)) == []


def test_modules_preloaded_for_workers_exist():
    # the forkserver skips a preload module it cannot import without a word: a misspelt name would quietly
    # bring back every worker importing numpy and Pillow on its own
    import importlib

    assert "loraprep.dedup.encode" in batch._PRELOAD
    for name in batch._PRELOAD:
        importlib.import_module(name)
