"""The editor's export folder: `~` is the user's home, a relative path is refused, never the server's cwd."""

from __future__ import annotations

import pytest


@pytest.fixture
def elsewhere(tmp_path, monkeypatch):
    """A home folder and a working folder of the server, both empty."""
    home, cwd = tmp_path / "home", tmp_path / "server cwd"
    home.mkdir()
    cwd.mkdir()
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.chdir(cwd)
    return home, cwd


@pytest.mark.parametrize("out", ["~/lora out", "~/nested/out/", " ~/padded "])
def test_a_tilde_is_the_home_folder(client, elsewhere, out):
    home, cwd = elsewhere
    r = client.post("/api/export", json={"out": out})
    assert r.status_code == 200, r.text
    expected = home / out.strip().removeprefix("~/")
    assert any(expected.rglob("*.txt")) and list(cwd.iterdir()) == []


@pytest.mark.parametrize("out", ["out", "./out", "../out", "~nosuchuser_xyz/out"])
def test_a_relative_folder_is_refused(client, elsewhere, dataset, out):
    home, cwd = elsewhere
    r = client.post("/api/export", json={"out": out})
    body = r.json()
    assert r.status_code == 422 and body["ok"] is False and body["status"] == 422, r.text
    assert out in body["error"]
    assert list(cwd.iterdir()) == [] and list(cwd.parent.glob("out")) == []
    if not out.startswith("~"):
        assert str(dataset.parent) in body["hint"]


def test_an_absolute_folder_is_used_as_given(client, elsewhere, tmp_path):
    r = client.post("/api/export", json={"out": str(tmp_path / "abs out")})
    assert r.status_code == 200 and any((tmp_path / "abs out").rglob("*.txt"))
