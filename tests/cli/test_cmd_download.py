"""`loraprep download` on the command line: --json report, exit codes, and no secret in any output."""

from __future__ import annotations

import json
import os
import subprocess
import sys

from tests.acquire.booru_server import booru  # noqa: F401

SECRET = "cli-s3cret-key"


def _run(*args, env_extra=None):
    env = {**os.environ, **(env_extra or {})}
    return subprocess.run([sys.executable, "-m", "loraprep", *args], capture_output=True, text=True, env=env)


def test_download_then_scan_then_status(tmp_path, booru):
    server = booru("konachan")
    root = tmp_path / "ds"
    r = _run("download", str(root / "kafka"), "--site", "konachan", "--tags", "kafka solo", "--base-url",
             server.url, "--delay", "0", "--json")
    assert r.returncode == 0, r.stderr
    report = json.loads(r.stdout)
    assert report["counts"]["downloaded"] == 5 and report["site"] == "konachan"
    r = _run("scan", str(root), "--min-size", "16", "--json")
    assert r.returncode == 0, r.stderr
    r = _run("status", str(root))
    assert r.returncode == 0 and "booru:konachan 5" in r.stdout
    r = _run("caption", str(root), "kafka/konachan_101.png", "--why")
    assert r.returncode == 0 and "booru:konachan:101" in r.stdout


def test_the_account_never_shows_in_any_output(tmp_path, booru):
    server = booru("e621")
    env = {"LORAPREP_E621_USER": "someone", "LORAPREP_E621_API_KEY": SECRET}
    root = tmp_path / "ds"
    r = _run("download", str(root / "c"), "--site", "e621", "--tags", "x", "--base-url", server.url,
             "--delay", "0", env_extra=env)
    assert r.returncode == 0, r.stderr
    assert SECRET not in r.stdout + r.stderr
    assert any(SECRET in line for line in server.log)
    server.fault("/posts.json", *[("status", 403)] * 2)
    r = _run("download", str(root / "c"), "--site", "e621", "--tags", "x", "--base-url", server.url,
             "--delay", "0", env_extra={**env, "LORAPREP_DEBUG": ""})
    assert r.returncode == 1 and "403" in r.stderr and "Traceback" not in r.stderr
    assert SECRET not in r.stdout + r.stderr


def test_usage_errors_exit_2(tmp_path):
    r = _run("download", str(tmp_path / "ds" / "c"), "--site", "pixiv", "--tags", "x")
    assert r.returncode == 2 and "unknown site" in r.stderr
    r = _run("download", str(tmp_path / "ds" / "c"), "--site", "danbooru", "--tags", "x", "--base-url", "nope")
    assert r.returncode == 2 and "--base-url" in r.stderr
