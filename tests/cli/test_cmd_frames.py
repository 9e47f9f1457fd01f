"""`loraprep frames` on the command line: JSON purity, per-file errors, usage errors, the video never written."""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys

import pytest

pytest.importorskip("av")

from tests.acquire.video.videos import Shot, write_video  # noqa: E402


def run(*args):
    return subprocess.run([sys.executable, "-m", "loraprep", *args], capture_output=True, text=True)


def test_json_report_and_a_bad_file_beside_a_good_one(tmp_path):
    video = write_video(tmp_path / "ep 01.mkv", [Shot("scene", 1.0, 61), Shot("scene", 1.0, 62)], size=(64, 48))
    before = hashlib.sha256(video.read_bytes()).hexdigest()
    bogus = tmp_path / "bogus.mp4"
    bogus.write_bytes(b"\x00\x01garbage" * 100)
    r = run("frames", str(bogus), str(video), str(tmp_path / "ds" / "shots"), "--json")
    assert r.returncode == 0, r.stderr
    data = json.loads(r.stdout)
    assert data["written"] == 2 and data["errors"][0]["video"].endswith("bogus.mp4")
    assert "Traceback" not in r.stderr
    assert hashlib.sha256(video.read_bytes()).hexdigest() == before
    r = run("frames", str(video), str(tmp_path / "ds" / "shots"))
    assert r.returncode == 0 and "wrote 0 frame(s)" in r.stdout


def test_only_bad_files_is_exit_1_and_usage_errors_exit_2(tmp_path):
    bogus = tmp_path / "bogus.mkv"
    bogus.write_text("nope")
    r = run("frames", str(bogus), str(tmp_path / "ds" / "c"))
    assert r.returncode == 1 and "not a video" in r.stdout and "Traceback" not in r.stderr
    r = run("frames", str(bogus), str(tmp_path / "ds" / "c"), "--every", "soon")
    assert r.returncode == 2 and "--every" in r.stderr
    r = run("frames", str(bogus), str(tmp_path / "ds" / "c"), "--similar", "loud")
    assert r.returncode == 2 and "--similar" in r.stderr
    r = run("frames", str(tmp_path / "ds" / "c"))
    assert r.returncode == 2 and "concept folder" in r.stderr
