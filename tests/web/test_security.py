"""The editor's guard: token then cookie, loopback Host only, same Origin only, one error shape everywhere."""

from __future__ import annotations

import pytest

from tests.web.conftest import TOKEN, file_ids


def assert_error(r, status):
    assert r.status_code == status, r.text
    body = r.json()
    assert body["ok"] is False and body["status"] == status and isinstance(body["error"], str) and body["error"]
    assert set(body) <= {"ok", "error", "status", "hint"}


def test_without_token_everything_is_refused(make_client):
    c = make_client(login=False)
    for path in ("/", "/api/session", "/api/images", "/app.js"):
        assert_error(c.get(path), 401)
    assert_error(c.post("/api/undo"), 401)


def test_wrong_token_is_refused_and_sets_no_cookie(make_client):
    c = make_client(login=False)
    r = c.get("/?token=nope", follow_redirects=False)
    assert_error(r, 401)
    assert "set-cookie" not in r.headers


def test_token_is_traded_for_an_httponly_strict_cookie(make_client):
    c = make_client(login=False)
    r = c.get(f"/?token={TOKEN}&x=1", follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/?x=1"
    cookie = r.headers["set-cookie"].lower()
    assert "httponly" in cookie and "samesite=strict" in cookie and TOKEN.lower() in cookie
    assert c.get("/api/session").status_code == 200


def test_token_header_works_for_scripts(make_client):
    c = make_client(login=False)
    assert c.get("/api/session", headers={"X-Loraprep-Token": TOKEN}).status_code == 200


@pytest.mark.parametrize("host", ["evil.example", "evil.example:8765", "127.0.0.1.evil.example", "192.168.1.5:8765",
                                  "[::1]:8765", ""])
def test_foreign_host_is_refused_even_with_the_cookie(make_client, host):
    c = make_client(port=8765)
    assert_error(c.get("/api/session", headers={"Host": host}), 403)


def test_loopback_hosts_with_our_port_pass(make_client):
    c = make_client(port=8765)
    for host in ("127.0.0.1:8765", "localhost:8765"):
        assert c.get("/api/session", headers={"Host": host}).status_code == 200
    assert_error(c.get("/api/session", headers={"Host": "127.0.0.1:9999"}), 403)


@pytest.mark.parametrize("origin", ["http://evil.example", "http://127.0.0.1:9999", "https://127.0.0.1:8765", "null"])
def test_foreign_origin_cannot_write(make_client, origin):
    c = make_client(port=8765)
    fid = next(iter(file_ids(c).values()))
    r = c.post("/api/edits/apply", json={"edit": {"kind": "add", "tags": ["pwned"]}, "ids": [fid]},
               headers={"Origin": origin})
    assert_error(r, 403)
    assert c.get("/api/history").json()["batches"] == []


def test_same_origin_write_passes(make_client):
    c = make_client(port=8765)
    fid = next(iter(file_ids(c).values()))
    r = c.post("/api/edits/apply", json={"edit": {"kind": "add", "tags": ["ok"]}, "ids": [fid]},
               headers={"Origin": "http://127.0.0.1:8765"})
    assert r.status_code == 200


def test_cross_site_fetch_metadata_is_refused(client):
    assert_error(client.post("/api/undo", headers={"Sec-Fetch-Site": "cross-site"}), 403)


def test_error_shape_for_404_422_405_409_and_500(make_client, monkeypatch):
    client = make_client(raise_errors=False)
    assert_error(client.get("/api/images/999999"), 404)
    assert_error(client.get("/no/such/page"), 404)
    assert_error(client.get("/api/images/abc"), 422)
    assert_error(client.post("/api/edits/apply", json={"edit": {"kind": "frobnicate", "tags": ["a"]}, "ids": []}), 400)
    assert_error(client.post("/api/edits/apply", json={"nonsense": 1}), 422)
    assert_error(client.post("/api/thresholds", json={"general": 7}), 422)
    assert_error(client.post("/api/edits/apply", content=b"{not json", headers={"Content-Type": "application/json"}), 422)
    assert_error(client.put("/api/undo"), 405)
    assert_error(client.post("/api/undo"), 409)  # nothing to undo
    assert_error(client.post("/api/edits/apply", json={"edit": {"kind": "add", "tags": ["a"]}}), 422)  # no target
    assert_error(client.post("/api/edits/apply", json={"edit": {"kind": "add", "tags": ["a"]}, "ids": [424242]}), 404)

    def boom():
        raise RuntimeError("secret internals")

    monkeypatch.setattr(client.editor, "history", lambda limit: boom())
    r = client.get("/api/history")
    assert_error(r, 500)
    assert "secret internals" not in r.text and "Traceback" not in r.text


def test_security_headers(client):
    r = client.get("/")
    assert "default-src 'self'" in r.headers["content-security-policy"]
    assert r.headers["x-frame-options"] == "DENY"


def test_every_error_class_carries_the_status_the_api_answers():
    """The status comes from the class, never from the wording of a message."""
    from loraprep import errors

    expected = {errors.LoraprepError: 422, errors.UsageError: 400, errors.LimitError: 422, errors.ConflictError: 409,
                errors.DiskFullError: 507, errors.NotFoundError: 404, errors.NothingToDoError: 409,
                errors.DatasetError: 422, errors.ExportError: 422}
    assert {cls: cls.http_status for cls in expected} == expected
    # a reworded message keeps its status
    assert errors.NotFoundError("image 7 is not in the store").http_status == 404
    assert issubclass(errors.NothingToDoError, errors.DatasetError)      # the CLI still exits 1 for it
