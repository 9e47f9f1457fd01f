"""The editor's API refuses oversized requests in its one error shape: 413 for a body, 422 for values."""

from __future__ import annotations

import json
import socket

import pytest

from loraprep.limits import MAX_BODY_BYTES, MAX_IDS_PER_REQUEST, MAX_TAG_LENGTH, MAX_TAGS_PER_EDIT
from tests.web.conftest import TOKEN, file_ids


def refused(r, status: int, words: str) -> dict:
    body = r.json()
    assert r.status_code == status, r.text[:300]
    assert body["ok"] is False and body["status"] == status and words in body["error"], body
    return body


def batches(client) -> int:
    return len(client.get("/api/history").json()["batches"])


def test_a_body_over_the_limit_is_refused_from_its_declared_length(client):
    tag = "x" * (MAX_BODY_BYTES + 10)
    r = client.post("/api/edits/apply", json={"edit": {"kind": "add", "tags": [tag]}, "filter": {}})
    refused(r, 413, "too large")
    assert batches(client) == 0


def test_a_chunked_body_over_the_limit_is_refused(client):
    piece = b" " * (1024 * 1024)
    chunks = iter([b'{"ids": [', *[piece] * (MAX_BODY_BYTES // len(piece) + 2), b"]}"])
    r = client.post("/api/tags/counts", content=chunks, headers={"Content-Type": "application/json"})
    refused(r, 413, "too large")


def test_a_body_under_the_limit_still_works(client):
    padded = b'{"ids": null' + b" " * (MAX_BODY_BYTES - 100) + b"}"
    r = client.post("/api/tags/counts", content=padded, headers={"Content-Type": "application/json"})
    assert r.status_code == 200 and r.json()["tags"]


def test_the_body_limit_is_enforced_while_reading(dataset):
    """On a real server, a chunked body that never ends is answered 413 as soon as it passes the limit: the
    server does not wait for (or buffer) the rest."""
    from tests.web.conftest import workspace_class
    from tests.web.live import LiveServer

    server = LiveServer(dataset, workspace_class()(dataset), TOKEN)
    try:
        with socket.create_connection(("127.0.0.1", server.port), timeout=20) as sock:
            sock.sendall((f"POST /api/tags/counts HTTP/1.1\r\nHost: 127.0.0.1:{server.port}\r\n"
                          f"X-Loraprep-Token: {TOKEN}\r\nContent-Type: application/json\r\n"
                          "Transfer-Encoding: chunked\r\n\r\n").encode())
            piece = b" " * (256 * 1024)
            sent = 0
            try:
                while sent <= MAX_BODY_BYTES + len(piece):  # past the limit, and never the closing chunk
                    sock.sendall(b"%x\r\n%s\r\n" % (len(piece), piece))
                    sent += len(piece)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the server answered and closed while we were still sending
            answer = b""
            while b"\r\n\r\n" not in answer:
                data = sock.recv(65536)
                if not data:
                    break
                answer += data
        assert answer.startswith(b"HTTP/1.1 413"), answer[:200]
    finally:
        server.stop()


def test_a_tag_over_the_length_limit_is_refused_and_nothing_is_written(client):
    fid = next(iter(file_ids(client).values()))
    for edit in ({"kind": "add", "tags": ["y" * (MAX_TAG_LENGTH + 1)]},
                 {"kind": "replace", "tags": ["smile"], "target": "z" * (MAX_TAG_LENGTH + 1)}):
        refused(client.post("/api/edits/apply", json={"edit": edit, "ids": [fid]}), 422, "tag too long")
        refused(client.post("/api/edits/preview", json={"edit": edit, "ids": [fid]}), 422, "tag too long")
    assert batches(client) == 0
    ok = client.post("/api/edits/apply", json={"edit": {"kind": "add", "tags": ["w" * MAX_TAG_LENGTH]}, "ids": [fid]})
    assert ok.status_code == 200 and ok.json()["changed"] == 1


def test_too_many_tags_in_one_edit_are_refused(client):
    tags = [f"tag number {i}" for i in range(MAX_TAGS_PER_EDIT + 1)]
    body = refused(client.post("/api/edits/apply", json={"edit": {"kind": "add", "tags": tags}, "filter": {}}),
                   422, "too many tags")
    assert f"{MAX_TAGS_PER_EDIT:,}" in body["error"] and body["hint"]
    assert batches(client) == 0
    preview = client.post("/api/edits/preview", json={"edit": {"kind": "remove", "tags": tags[:-1]}, "filter": {}})
    assert preview.status_code == 200


@pytest.mark.parametrize("route", ["/api/tags/counts", "/api/curation", "/api/edits/apply"])
def test_too_many_ids_are_refused(client, route):
    fid = next(iter(file_ids(client).values()))
    body = {"ids": [fid] * (MAX_IDS_PER_REQUEST + 1)}
    if route == "/api/edits/apply":
        body["edit"] = {"kind": "add", "tags": ["many"]}
    answer = refused(client.post(route, json=body), 422, "too many image ids")
    assert "filter" in answer["hint"]
    assert batches(client) == 0


def test_an_id_sent_twice_counts_once(client):
    ids = file_ids(client)
    a = ids["outfit_b/003.png"]
    counts = {t["tag"]: t["count"] for t in client.post("/api/tags/counts", json={"ids": [a] * 500}).json()["tags"]}
    assert counts["armor"] == 1


def test_counts_and_curation_take_a_filter_instead_of_ids(client):
    ids = file_ids(client)
    by_filter = client.post("/api/tags/counts", json={"filter": {"concept": "outfit_b"}}).json()["tags"]
    by_ids = client.post("/api/tags/counts", json={"ids": [ids["outfit_b/003.png"], ids["outfit_b/004.png"]]}).json()["tags"]
    assert by_filter == by_ids and {t["tag"] for t in by_filter} >= {"armor", "blue hair"}
    where = client.post("/api/tags/counts", json={"filter": {"where": '"red hair"'}}).json()["tags"]
    assert {t["tag"]: t["count"] for t in where}["red hair"] == 2 and "armor" not in {t["tag"] for t in where}
    curation = client.post("/api/curation", json={"filter": {"concept": "outfit_a"}}).json()
    assert curation["images"] == 2


def test_an_export_folder_name_has_a_length_limit(client, tmp_path):
    refused(client.post("/api/export", json={"out": str(tmp_path / ("d" * 5000))}), 422, "out")


def test_the_limits_are_the_ones_the_cli_applies(dataset, capfd):
    from tests.cli.test_commands import invoke

    long_tag = "q" * (MAX_TAG_LENGTH + 1)
    done = invoke(capfd, "edit-tags", dataset, "add", long_tag, "--yes")
    assert done.returncode == 2 and "tag too long" in done.stderr and "Traceback" not in done.stderr
    many = [f"t{i}" for i in range(MAX_TAGS_PER_EDIT + 1)]
    done = invoke(capfd, "--json", "edit-tags", dataset, "add", *many, "--yes")
    assert done.returncode == 2 and "too many tags" in done.stderr and done.stdout == ""
    done = invoke(capfd, "--json", "history", dataset)
    assert json.loads(done.stdout) == [b for b in json.loads(done.stdout) if b["source"] == "import"]
