"""side_by_side keeps the order of its parts, on one core or several, with BLAS held to one thread meanwhile."""

from __future__ import annotations

import threading

import numpy as np
import pytest

from loraprep.dedup import threads


@pytest.mark.parametrize("cores", [1, 2, 4])
def test_results_come_back_in_order(monkeypatch, cores):
    monkeypatch.setattr(threads, "cores", lambda: cores)
    parts = [np.full((64, 64), i, np.float32) for i in range(7)]
    assert [float(r) for r in threads.side_by_side(lambda a: (a @ a)[0, 0], parts)] == [64.0 * i * i for i in range(7)]


def test_parts_run_on_several_threads_when_there_are_cores(monkeypatch):
    monkeypatch.setattr(threads, "cores", lambda: 2)
    barrier = threading.Barrier(2, timeout=10)       # both parts must be running at once to pass it

    def work(part):
        barrier.wait()
        return part

    assert threads.side_by_side(work, ["a", "b"]) == ["a", "b"]


def test_one_blas_thread_is_a_context_even_without_threadpoolctl(monkeypatch):
    import builtins

    real_import = builtins.__import__

    def no_threadpoolctl(name, *args, **kwargs):
        if name == "threadpoolctl":
            raise ImportError(name)
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_threadpoolctl)
    with threads.one_blas_thread():
        assert float((np.eye(3) @ np.eye(3)).sum()) == 3.0


def test_threads_follow_the_worker_setting(monkeypatch):
    monkeypatch.setenv("LORAPREP_WORKERS", "1")
    assert threads.cores() == 1
    monkeypatch.setenv("LORAPREP_WORKERS", "3")
    assert threads.cores() == 3


def test_numpy_loaded_beside_busy_cores_has_no_blas_pool_and_the_environment_is_put_back():
    import subprocess
    import sys

    code = ("import os, sys\nos.environ.pop('OPENBLAS_NUM_THREADS', None); os.environ['OMP_NUM_THREADS'] = '3'\n"
            "from loraprep.dedup.threads import blas_beside_busy_cores\n"
            "assert 'numpy' not in sys.modules\n"
            "with blas_beside_busy_cores():\n"
            "    from threadpoolctl import threadpool_info\n"
            "    inside = sorted({i['num_threads'] for i in threadpool_info() if i['user_api'] == 'blas'})\n"
            "print(inside, os.environ.get('OPENBLAS_NUM_THREADS'), os.environ.get('OMP_NUM_THREADS'))\n")
    env = {k: v for k, v in __import__("os").environ.items() if k not in ("OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, env=env).stdout
    assert out.split() == ["[1]", "None", "3"]


def test_numpy_already_loaded_gets_one_blas_thread_inside_only():
    import subprocess
    import sys

    code = ("import numpy\nfrom threadpoolctl import threadpool_info\n"
            "from loraprep.dedup.threads import blas_beside_busy_cores\n"
            "def blas(): return sorted({i['num_threads'] for i in threadpool_info() if i['user_api'] == 'blas'})\n"
            "with blas_beside_busy_cores():\n    inside = blas()\nprint(inside, blas())\n")
    env = {k: v for k, v in __import__("os").environ.items()
           if k not in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")}
    env["OPENBLAS_NUM_THREADS"] = "2"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, env=env).stdout
    assert out.split() == ["[1]", "[2]"]


def test_one_blas_thread_holds_a_numpy_that_was_not_loaded_before():
    """threadpoolctl limits only the BLAS libraries already loaded: entered before numpy was imported, the
    context must load it first (scan's reading threads otherwise loaded it with a full pool: twice the CPU)."""
    import subprocess
    import sys

    pytest.importorskip("threadpoolctl")
    code = ("import os, sys\nfor name in ('OPENBLAS_NUM_THREADS', 'OMP_NUM_THREADS', 'MKL_NUM_THREADS'):\n"
            "    os.environ.pop(name, None)\n"
            "from loraprep.dedup.threads import one_blas_thread\n"
            "assert 'numpy' not in sys.modules\n"
            "with one_blas_thread():\n"
            "    import numpy\n"
            "    from threadpoolctl import threadpool_info\n"
            "    print(sorted({p['num_threads'] for p in threadpool_info() if p['user_api'] == 'blas'}))\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=True)
    assert out.stdout.strip() == "[1]", out.stdout + out.stderr
