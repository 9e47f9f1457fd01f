"""Tag and dedup on a local Ray cluster store what the local engine stores; killed workers and drivers resume."""

from __future__ import annotations

import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from loraprep import ops
from loraprep.errors import ClusterError
from tests.compute.conftest import REPO, TINY_TAGGER, copy_sample, generated_dataset, stored


def _tag(root: Path, engine: str = "local", **kw) -> dict:
    return ops.tag(root, model=TINY_TAGGER, device="cpu", engine=engine, **kw)


def _both(tmp_path: Path, make) -> tuple[Path, Path]:
    local, remote = make(tmp_path / "local"), tmp_path / "ray"
    shutil.copytree(local, remote)
    for root in (local, remote):
        ops.scan(root)
        _forget_descriptors(root)
    return local, remote


def _forget_descriptors(root: Path) -> None:
    """scan describes each new picture for dedup from its own (local) decode: without those descriptors, dedup
    describes every picture itself, on the engine under test, and meets the files broken since the scan."""
    import sqlite3

    with sqlite3.connect(root / ".loraprep" / "state.sqlite") as conn:
        conn.execute("DELETE FROM dedup_descriptors")


def _break_after_scan(*roots: Path) -> None:
    """Files that were fine at scan time and are not by tagging time: gone, or rewritten as garbage."""
    for root in roots:
        pictures = sorted(p for p in root.rglob("img *") if p.is_file())
        pictures[3].unlink()
        pictures[40].unlink()
        pictures[77].write_bytes(b"\x89PNG\r\n\x1a\n not a picture any more")


def _errors(report: dict) -> list:
    return sorted((e["path"], e["error"]) for e in report["errors"])


def test_sample_tag_and_dedup_store_what_the_local_engine_stores(ray_cluster, tmp_path):
    local, remote = _both(tmp_path, copy_sample)
    a, b = _tag(local, batch_size=3), _tag(remote, "ray", batch_size=3)
    assert (b["model"], b["tagged"], b["failed"]) == (a["model"], a["tagged"], a["failed"]) and a["tagged"] > 20
    da, db = ops.dedup(local), ops.dedup(remote, engine="ray")
    assert db["images"] == da["images"] and da["groups"]
    assert stored(remote, b["model"]) == stored(local, a["model"])


def test_generated_images_with_bad_files_match_in_every_batch(ray_cluster, tmp_path):
    local, remote = _both(tmp_path, lambda root: generated_dataset(root, 260, seed=7))
    _break_after_scan(local, remote)
    a, b = _tag(local, batch_size=5), _tag(remote, "ray", batch_size=5)
    assert b["tagged"] == a["tagged"] > 250
    assert _errors(b) == _errors(a) and len(a["errors"]) == 3     # unreadable files in mid-batch
    da, db = ops.dedup(local), ops.dedup(remote, engine="ray")
    assert _errors(db) == _errors(da) and len(da["errors"]) == 3
    assert da["excluded"] > 0
    result = stored(remote, b["model"])
    assert result == stored(local, a["model"])
    assert len(result["scores"]) == a["tagged"] and len(result["descriptors"]) == da["images"]


def test_images_read_through_a_url_on_ray_give_the_same_results(ray_cluster, tmp_path):
    # 80 pictures: the local engine describes 64 or more in single-BLAS-thread worker processes, as Ray's workers
    # do; fewer it describes in threads, where a multi-threaded BLAS may round a descriptor's last bits apart
    local, remote = _both(tmp_path, lambda root: generated_dataset(root, 80, seed=11))
    elsewhere = tmp_path / "mirror"
    shutil.copytree(local, elsewhere, ignore=shutil.ignore_patterns(".loraprep"))
    for name in os.listdir(remote):      # the dataset folder keeps its store; the workers read the mirror
        if name != ".loraprep":
            shutil.rmtree(remote / name) if (remote / name).is_dir() else (remote / name).unlink()
    a = _tag(local, batch_size=4)
    b = _tag(remote, "ray", batch_size=4, images=elsewhere.as_uri())
    ops.dedup(local)
    ops.dedup(remote, engine="ray", images=elsewhere.as_uri())
    assert _errors(b) == _errors(a) and b["tagged"] == a["tagged"] > 80
    assert stored(remote, b["model"])["scores"] == stored(local, a["model"])["scores"]
    assert stored(remote)["descriptors"] == stored(local)["descriptors"]


def _tag_worker_pids() -> list[int]:
    """Processes running an inference actor: Ray titles them after the actor's class."""
    pids = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                title = Path("/proc", entry, "cmdline").read_bytes().replace(b"\0", b" ")
            except OSError:
                continue
            if title.startswith(b"ray::") and b"_TagWorker" in title:
                pids.append(int(entry))
    return pids


@pytest.mark.skipif(not Path("/proc").is_dir(), reason="finds the worker process through /proc (Linux)")
def test_a_killed_inference_worker_loses_nothing_that_was_stored(ray_cluster, tmp_path):
    local, remote = _both(tmp_path, lambda root: generated_dataset(root, 200, seed=5))
    killed = []

    def kill_once(done: int, total: int) -> None:
        if done >= 8 and not killed:
            pids = _tag_worker_pids()
            assert pids, "no Ray process runs the tagging actor"
            os.kill(pids[0], signal.SIGKILL)
            killed.append(pids[0])

    try:
        first = _tag(remote, "ray", batch_size=4, progress=kill_once)
    except ClusterError:              # Ray gave up on the worker: what was committed stays
        first = None
    assert killed
    again = _tag(remote, "ray", batch_size=4)
    if first is not None:
        assert again["tagged"] == 0          # Ray restarted the worker and finished the run
    expected = _tag(local, batch_size=4)
    assert stored(remote, expected["model"]) == stored(local, expected["model"])


def _tagged_count(root: Path) -> int:
    db = root / ".loraprep" / "state.sqlite"
    with sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=5) as conn:
        return conn.execute("SELECT COUNT(*) FROM tagged").fetchone()[0]


def test_a_killed_driver_keeps_its_committed_batches_and_a_rerun_completes(ray_cluster, tmp_path):
    local, remote = _both(tmp_path, lambda root: generated_dataset(root, 420, seed=9))
    command = [sys.executable, "-m", "loraprep", "tag", str(remote), "--model", TINY_TAGGER, "--device", "cpu",
               "--batch", "4", "--engine", "ray", "--address", ray_cluster]
    driver = subprocess.Popen(command, cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 240
    while _tagged_count(remote) == 0 and driver.poll() is None and time.monotonic() < deadline:
        time.sleep(0.02)
    driver.kill()
    _, err = driver.communicate()
    kept = _tagged_count(remote)
    assert driver.returncode == -signal.SIGKILL, err.decode()[-2000:]
    assert 0 < kept < 420
    rerun = _tag(remote, "ray", batch_size=4)
    assert rerun["skipped"] == kept and rerun["tagged"] + kept == _tagged_count(remote)
    expected = _tag(local, batch_size=4)
    assert stored(remote, expected["model"]) == stored(local, expected["model"])


def test_an_unreachable_cluster_is_a_clear_error_at_once(tmp_path):
    root = copy_sample(tmp_path / "set")
    ops.scan(root)
    command = [sys.executable, "-m", "loraprep", "tag", str(root), "--model", TINY_TAGGER,
               "--engine", "ray", "--address", "ray://127.0.0.1:1"]
    done = subprocess.run(command, cwd=REPO, capture_output=True, text=True, timeout=120)
    assert done.returncode == 1
    assert "cannot reach the Ray cluster at ray://127.0.0.1:1" in done.stderr
    assert "Traceback" not in done.stderr + done.stdout
    assert _tagged_count(root) == 0


def test_without_ray_installed_the_error_says_what_to_install(tmp_path, monkeypatch):
    root = copy_sample(tmp_path / "set")
    ops.scan(root)
    monkeypatch.setitem(sys.modules, "ray", None)
    with pytest.raises(ClusterError, match="not installed") as caught:
        _tag(root, "ray")
    assert "loraprep[ray]" in caught.value.hint
    _forget_descriptors(root)                        # work for the cluster: scan had described every picture
    with pytest.raises(ClusterError, match="not installed"):
        ops.dedup(root, engine="ray")


def test_scan_on_ray_records_what_the_local_scan_records(ray_cluster, tmp_path):
    local = generated_dataset(tmp_path / "local", 90, seed=13)
    remote = tmp_path / "ray"
    shutil.copytree(local, remote)
    a, b = ops.scan(local), ops.scan(remote, engine="ray")
    assert b["scan"] == a["scan"] and a["scan"]["decoded"] > 90 and a["scan"]["failed"] == 3
    assert b["totals"] == a["totals"]
    assert stored(remote) == stored(local)
    again = ops.scan(remote, engine="ray")                 # a rescan reads only what changed: nothing
    assert again["scan"]["read"] == 0 and stored(remote) == stored(local)


def test_nothing_left_to_do_joins_no_cluster(tmp_path):
    root = copy_sample(tmp_path / "set")
    ops.scan(root)
    _tag(root)
    command = [sys.executable, "-m", "loraprep", "tag", str(root), "--model", TINY_TAGGER,
               "--engine", "ray", "--address", "ray://127.0.0.1:1", "--json"]
    done = subprocess.run(command, cwd=REPO, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert '"tagged": 0' in done.stdout
