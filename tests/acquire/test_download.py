"""`download` against the fixture server of every site: files, provenance, skips with reasons, resumes."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from loraprep.ops.download import download
from loraprep.store.db import open_store
from loraprep.store.sources import sources_by_path
from tests.acquire.booru_server import SITE_SOFTWARE

SITES = sorted(SITE_SOFTWARE)
GOOD = (101, 102, 103, 107, 108)


def _files(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir()) if folder.exists() else []


@pytest.mark.parametrize("site", SITES)
def test_every_site_downloads_the_still_images_with_their_provenance(tmp_path, booru, site):
    server = booru(site)
    report = download(tmp_path / "ds" / "kafka", site=site, tags="kafka_(honkai:_star_rail) solo",
                      base_url=server.url, delay=0)
    folder = tmp_path / "ds" / "kafka"
    expected = {f"{site}_{p.id}.{p.ext}": p for p in server.posts if p.id in GOOD}
    assert _files(folder) == sorted(expected)          # nothing partial, no .part left
    for name, post in expected.items():
        assert (folder / name).read_bytes() == post.data
    assert report["counts"]["downloaded"] == len(GOOD)
    assert report["counts"]["pages"] >= 3              # 8 posts, 3 a page: the cursor moved
    reasons = {s["post_id"]: s["reason"] for s in report["skipped"]}
    assert "deleted" in reasons[104]
    assert "no file URL" in reasons[105] or "deleted" in reasons[105]
    assert "not a still image" in reasons[106] and "video" in reasons[106]

    store = open_store(tmp_path / "ds")
    try:
        rows = sources_by_path(store, kind="booru")
    finally:
        store.close()
    assert sorted(rows) == sorted(f"kafka/{n}" for n in expected)
    row = rows[f"kafka/{site}_102.jpg"]
    post = expected[f"{site}_102.jpg"]
    assert row.origin == f"booru:{site}:102"
    assert row.sha256 == hashlib.sha256(post.data).hexdigest()
    assert row.data["md5"] == hashlib.md5(post.data).hexdigest()
    assert row.data["post_id"] == 102 and row.data["site"] == site
    assert row.data["url"].startswith(server.url) and "102" in row.data["url"]
    assert row.data["file_url"].startswith(server.url)
    assert row.data["score"] == 3 and (row.data["width"], row.data["height"]) == (50, 90)
    assert "星空" in row.data["tags"]["general"] and "café_au_lait" in row.data["tags"]["general"]
    if site != "safebooru":  # safebooru.org's posts carry no rating scale beyond "safe"
        assert row.data["rating"] in ("sensitive", "general")  # three-level sites call it safe
    if SITE_SOFTWARE[site] in ("danbooru", "e621", "gelbooru"):
        assert row.data["tags"]["character"] == ["kafka_(honkai:_star_rail)"]
        assert row.data["tags"]["meta"] == ["highres", "commentary_request"]


@pytest.mark.parametrize("site", SITES)
def test_a_rerun_downloads_nothing_new(tmp_path, booru, site):
    server = booru(site)
    target = tmp_path / "ds" / "c"
    download(target, site=site, tags="solo", base_url=server.url, delay=0)
    before = _files(target)
    fetched = sum(1 for line in server.log if line.startswith("/data/"))
    again = download(target, site=site, tags="solo", base_url=server.url, delay=0)
    assert again["counts"]["downloaded"] == 0
    assert again["counts"]["already_downloaded"] == len(GOOD)
    assert _files(target) == before
    assert sum(1 for line in server.log if line.startswith("/data/")) == fetched


@pytest.mark.parametrize("site", ["danbooru", "gelbooru", "yandere"])
def test_a_wrong_md5_is_a_per_post_error_and_leaves_nothing(tmp_path, booru, site):
    from tests.acquire.booru_server import sample_posts

    posts = sample_posts()
    posts[1].md5 = "0" * 32
    server = booru(site, posts)
    report = download(tmp_path / "ds" / "c", site=site, tags="x", base_url=server.url, delay=0)
    errors = {e["post_id"]: e["error"] for e in report["errors"]}
    assert "md5 mismatch" in errors[102]
    assert not any(n.startswith(f"{site}_102") or n.endswith(".part") or n.startswith(".")
                   for n in _files(tmp_path / "ds" / "c"))
    assert report["counts"]["downloaded"] == len(GOOD) - 1


def test_limit_counts_new_files_and_the_next_run_continues(tmp_path, booru):
    server = booru("danbooru")
    target = tmp_path / "ds" / "c"
    first = download(target, site="danbooru", tags="x", base_url=server.url, delay=0, limit=2)
    assert first["counts"]["downloaded"] == 2 and len(_files(target)) == 2
    second = download(target, site="danbooru", tags="x", base_url=server.url, delay=0, limit=2)
    assert second["counts"]["downloaded"] == 2 and second["counts"]["already_downloaded"] == 2
    assert len(_files(target)) == 4


def test_filters_skip_with_their_reason(tmp_path, booru):
    server = booru("danbooru")
    report = download(tmp_path / "ds" / "c", site="danbooru", tags="x", base_url=server.url, delay=0,
                      rating="general,sensitive", min_score=2, min_side=45, exclude_tags="sword")
    assert sorted(d["post_id"] for d in report["downloaded"]) == [101, 102]
    reasons = {s["post_id"]: s["reason"] for s in report["skipped"]}
    assert "rating questionable" in reasons[103] or "sword" in reasons[103]
    assert "rating explicit" in reasons[107]
    assert "score 1 below 2" in reasons[108]


def test_a_file_of_the_same_name_is_never_replaced(tmp_path, booru):
    server = booru("e621")
    target = tmp_path / "ds" / "c"
    target.mkdir(parents=True)
    (target / "e621_101.png").write_bytes(b"the user's own file")
    report = download(target, site="e621", tags="x", base_url=server.url, delay=0)
    assert (target / "e621_101.png").read_bytes() == b"the user's own file"
    assert any(s["post_id"] == 101 and "already there" in s["reason"] for s in report["skipped"])


def test_a_file_left_by_a_stopped_run_is_recorded_without_fetching(tmp_path, booru):
    server = booru("konachan")
    target = tmp_path / "ds" / "c"
    target.mkdir(parents=True)
    post = next(p for p in server.posts if p.id == 103)
    (target / "konachan_103.png").write_bytes(post.data)
    report = download(target, site="konachan", tags="x", base_url=server.url, delay=0)
    assert any(d["post_id"] == 103 and d.get("note") for d in report["downloaded"])
    assert not any(line.startswith(f"/data/{post.site_md5()}") for line in server.log)


def test_the_same_file_from_another_site_is_not_downloaded_twice(tmp_path, booru):
    first, second = booru("danbooru"), booru("gelbooru")
    target = tmp_path / "ds" / "c"
    download(target, site="danbooru", tags="x", base_url=first.url, delay=0)
    report = download(target, site="gelbooru", tags="x", base_url=second.url, delay=0)
    assert report["counts"]["downloaded"] == 0
    assert all("md5" in s["reason"] or "not a still" in s["reason"] or "deleted" in s["reason"]
               or "no file URL" in s["reason"] for s in report["skipped"])
    assert not any(line.startswith("/data/") for line in second.log)


def test_an_animated_gif_is_skipped(tmp_path, booru):
    from tests.acquire.booru_server import FakePost, image_bytes

    posts = [FakePost(5, image_bytes((40, 40), fmt="GIF", frames=3), "gif", tags={"general": ("a",)}),
             FakePost(4, image_bytes((40, 40), fmt="GIF"), "gif", tags={"general": ("b",)})]
    server = booru("danbooru", posts)
    report = download(tmp_path / "ds" / "c", site="danbooru", tags="x", base_url=server.url, delay=0)
    assert [d["post_id"] for d in report["downloaded"]] == [4]
    assert "animated" in report["skipped"][0]["reason"]
    assert _files(tmp_path / "ds" / "c") == ["danbooru_4.gif"]


def test_min_side_is_checked_on_the_bytes_when_the_site_gives_no_size(tmp_path, booru):
    from tests.acquire.booru_server import FakePost, image_bytes

    posts = [FakePost(9, image_bytes((120, 30)), "png", width=None, height=None, tags={"general": ("a",)}),
             FakePost(8, image_bytes((100, 100)), "png", width=None, height=None, tags={"general": ("b",)})]
    server = booru("danbooru", posts)
    report = download(tmp_path / "ds" / "c", site="danbooru", tags="x", base_url=server.url, delay=0, min_side=64)
    assert [d["post_id"] for d in report["downloaded"]] == [8]
    assert report["skipped"][0]["reason"] == "120x30: shorter side below 64"
    assert _files(tmp_path / "ds" / "c") == ["danbooru_8.png"]


def test_a_killed_download_resumes_and_its_leftovers_go(tmp_path, booru):
    import json
    import os
    import signal
    import subprocess
    import sys
    import time

    server = booru("danbooru")
    target = tmp_path / "ds" / "c"
    # A real kill -9 while the second file is being written: its temporary file stays behind.
    code = ("import os, signal\nfrom loraprep.acquire import http\nfrom loraprep.ops.download import download\n"
            "real = http.HttpClient._write_body\ncalls = []\n"
            "def write(self, response, temp):\n    calls.append(1)\n    if len(calls) == 2:\n"
            "        temp.write_bytes(b'partial')\n        os.kill(os.getpid(), signal.SIGKILL)\n"
            "    return real(self, response, temp)\n"
            "http.HttpClient._write_body = write\n"
            f"download({str(target)!r}, site='danbooru', tags='x', base_url={server.url!r}, delay=0)\n")
    child = subprocess.run([sys.executable, "-c", code], capture_output=True, timeout=120)
    assert child.returncode == -signal.SIGKILL, child.stderr
    left = [p for p in target.iterdir() if p.name.endswith(".part")]
    assert len(left) == 1 and len(_files(target)) == 2
    old = time.time() - 3600
    os.utime(left[0], (old, old))
    shown = subprocess.run([sys.executable, "-m", "loraprep", "status", str(tmp_path / "ds")], capture_output=True,
                           text=True, timeout=60)
    assert "the same `loraprep download`" in shown.stdout
    report = download(target, site="danbooru", tags="x", base_url=server.url, delay=0)
    assert report["counts"]["downloaded"] == len(GOOD) - 1 and report["counts"]["already_downloaded"] == 1
    assert _files(target) == sorted(f"danbooru_{p.id}.{p.ext}" for p in server.posts if p.id in GOOD)
    status = json.loads(subprocess.run([sys.executable, "-m", "loraprep", "status", str(tmp_path / "ds"), "--json"],
                                       capture_output=True, text=True, timeout=60).stdout)
    assert status["unfinished_runs"] == []
