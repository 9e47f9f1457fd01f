"""Accounts: the environment wins over the file, a file inside the dataset is refused, and a key is sent to the
site only: never in output, errors, the run record or the store."""

from __future__ import annotations

import pytest

from loraprep.acquire.credentials import credentials_for
from loraprep.errors import NetworkError, UsageError
from loraprep.ops.download import download

SECRET = "k3y-Zq9/+x"


def _config(tmp_path, monkeypatch, text: str):
    path = tmp_path / "cfg" / "boorus.toml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    monkeypatch.setenv("LORAPREP_BOORU_CONFIG", str(path))
    return path


def test_environment_wins_over_the_file(tmp_path, monkeypatch):
    _config(tmp_path, monkeypatch, '[gelbooru]\nuser = "42"\napi_key = "from-file"\n')
    assert credentials_for("gelbooru") == {"user": "42", "api_key": "from-file"}
    monkeypatch.setenv("LORAPREP_GELBOORU_USER", "7")
    monkeypatch.setenv("LORAPREP_GELBOORU_API_KEY", "from-env")
    assert credentials_for("gelbooru") == {"user": "7", "api_key": "from-env"}
    assert credentials_for("e621") == {}


def test_a_credentials_file_inside_the_dataset_is_refused(tmp_path, monkeypatch):
    root = tmp_path / "ds"
    path = root / "boorus.toml"
    root.mkdir()
    path.write_text('[danbooru]\nuser = "me"\napi_key = "x"\n', encoding="utf-8")
    monkeypatch.setenv("LORAPREP_BOORU_CONFIG", str(path))
    with pytest.raises(UsageError, match="inside the dataset"):
        credentials_for("danbooru", root)


def test_a_broken_file_names_no_secret(tmp_path, monkeypatch):
    _config(tmp_path, monkeypatch, f'[danbooru]\nuser = "me"\napi_key = "{SECRET}\n')
    with pytest.raises(UsageError) as caught:
        credentials_for("danbooru")
    assert SECRET not in caught.value.message and SECRET not in (caught.value.hint or "")


def _store_bytes(root) -> bytes:
    return b"".join(p.read_bytes() for p in (root / ".loraprep").iterdir() if p.is_file())


@pytest.mark.parametrize("site, param", [("danbooru", "api_key"), ("gelbooru", "api_key"), ("e621", "api_key")])
def test_the_key_goes_to_the_site_and_nowhere_else(tmp_path, monkeypatch, booru, site, param):
    server = booru(site)
    monkeypatch.setenv(f"LORAPREP_{site.upper()}_USER", "1234")
    monkeypatch.setenv(f"LORAPREP_{site.upper()}_API_KEY", SECRET)
    root = tmp_path / "ds"
    report = download(root / "c", site=site, tags="a b c", base_url=server.url, delay=0)
    assert any("api_key=k3y-Zq9%2F%2Bx" in line for line in server.log)   # the site got it
    assert SECRET not in repr(report) and "k3y" not in repr(report)
    assert report["account"] is True
    assert b"k3y" not in _store_bytes(root)


def test_a_refused_request_names_no_secret(tmp_path, monkeypatch, booru):
    server = booru("danbooru")
    server.fault("/posts.json", ("status", 401))
    monkeypatch.setenv("LORAPREP_DANBOORU_USER", "me")
    monkeypatch.setenv("LORAPREP_DANBOORU_API_KEY", SECRET)
    with pytest.raises(NetworkError) as caught:
        download(tmp_path / "ds" / "c", site="danbooru", tags="x", base_url=server.url, delay=0)
    assert "401" in caught.value.message
    assert "k3y" not in caught.value.message + (caught.value.hint or "")
    assert b"k3y" not in _store_bytes(tmp_path / "ds")


def test_too_many_tags_without_an_account_is_refused_before_any_request(tmp_path, booru):
    server = booru("danbooru")
    with pytest.raises(UsageError, match="2 tags"):
        download(tmp_path / "ds" / "c", site="danbooru", tags="a b -c", base_url=server.url, delay=0)
    assert server.log == []
