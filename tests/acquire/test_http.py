"""The HTTP client against the fixture server: Retry-After honoured, 5xx and cut-off bodies retried, secrets
scrubbed."""

from __future__ import annotations

import pytest

from loraprep.acquire.http import FileRejected, HttpClient
from loraprep.errors import NetworkError
from loraprep.ops.download import download


def _client(waits: list) -> HttpClient:
    return HttpClient(delay=0, retries=3, backoff=0.01, sleep=waits.append)


def test_429_waits_what_retry_after_says_then_succeeds(tmp_path, booru):
    server = booru("danbooru")
    server.fault("/posts.json", ("status", 429, {"Retry-After": "7"}))
    waits: list = []
    report = download(tmp_path / "ds" / "c", site="danbooru", tags="x", base_url=server.url, http=_client(waits))
    assert 7.0 in waits
    assert report["counts"]["downloaded"] == 5


def test_a_500_then_success_and_a_cut_off_file_are_retried(tmp_path, booru):
    server = booru("e621")
    server.fault("/posts.json", ("status", 500))
    server.fault("/data/", ("truncate",), ("status", 503))
    waits: list = []
    report = download(tmp_path / "ds" / "c", site="e621", tags="x", base_url=server.url, http=_client(waits))
    assert report["counts"]["downloaded"] == 5 and not report["errors"]
    assert len(waits) >= 3
    assert not [p for p in (tmp_path / "ds" / "c").iterdir() if p.name.startswith(".")]


def test_a_cut_off_json_answer_is_retried(tmp_path, booru):
    server = booru("gelbooru")
    server.fault("/index.php", ("truncate",))
    report = download(tmp_path / "ds" / "c", site="gelbooru", tags="x", base_url=server.url, http=_client([]))
    assert report["counts"]["downloaded"] == 5


def test_a_file_that_keeps_failing_is_a_per_post_error_with_nothing_left(tmp_path, booru):
    server = booru("yandere")
    server.fault("/data/", *[("truncate",)] * 4)
    report = download(tmp_path / "ds" / "c", site="yandere", tags="x", base_url=server.url, http=_client([]))
    assert len(report["errors"]) == 1 and "cut off" in report["errors"][0]["error"]
    assert report["counts"]["downloaded"] == 4
    assert not [p for p in (tmp_path / "ds" / "c").iterdir() if p.name.startswith(".")]


def test_a_search_that_keeps_failing_raises_without_the_secret(booru):
    server = booru("danbooru")
    server.fault("/posts.json", *[("status", 502)] * 5)
    client = HttpClient(delay=0, retries=2, backoff=0, sleep=lambda s: None, secrets=("s3cr3t-KEY",))
    with pytest.raises(NetworkError) as caught:
        client.get_json(f"{server.url}/posts.json", {"api_key": "s3cr3t-KEY", "login": "me"})
    assert "502" in caught.value.message and "s3cr3t" not in caught.value.message
    assert "s3cr3t" not in (caught.value.hint or "")


def test_a_too_long_retry_after_stops_with_a_clear_message(booru):
    server = booru("danbooru")
    server.fault("/posts.json", ("status", 429, {"Retry-After": "3600"}))
    client = HttpClient(delay=0, retries=2, sleep=lambda s: None)
    with pytest.raises(NetworkError, match="wait 3600"):
        client.get_json(f"{server.url}/posts.json")


def test_download_checks_the_md5(tmp_path, booru):
    server = booru("danbooru")
    post = server.posts[0]
    client = HttpClient(delay=0, sleep=lambda s: None)
    with pytest.raises(FileRejected, match="md5 mismatch"):
        client.download(server.file_url(post), tmp_path / "x.part", md5="f" * 32)
    assert not (tmp_path / "x.part").exists()
    md5, _sha = client.download(server.file_url(post), tmp_path / "y.part", md5=post.site_md5())
    assert md5 == post.site_md5()


def test_the_rate_limit_spaces_requests():
    now = [0.0]
    waits: list = []

    def sleep(seconds):
        waits.append(seconds)
        now[0] += seconds

    client = HttpClient(delay=1.5, sleep=sleep, clock=lambda: now[0])
    client._wait_turn()
    now[0] += 0.5
    client._wait_turn()
    assert waits == [pytest.approx(1.0)]
