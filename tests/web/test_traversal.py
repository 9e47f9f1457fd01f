"""Image routes serve only files of the dataset, named by store id: traversal and swapped symlinks refused."""

from __future__ import annotations

import os

import pytest

from tests.conftest import make_image
from tests.web.conftest import build_dataset, file_ids

SECRET = b"top secret outside the dataset"


@pytest.fixture
def outside(tmp_path):
    p = tmp_path / "outside.txt"
    p.write_bytes(SECRET)
    return p


@pytest.mark.parametrize("path", [
    "/api/images/../../outside.txt/file", "/api/images/..%2f..%2foutside.txt/file", "/api/images/%2e%2e/file",
    "/api/images/%2e%2e%2f%2e%2e%2foutside.txt/file", "/api/images//etc/passwd/file", "/api/images/-1/file",
    "/api/images/1.5/file", "/../../outside.txt", "/%2e%2e/%2e%2e/outside.txt", "/static/../../outside.txt",
    "//etc/passwd", "/..%5c..%5coutside.txt", "/api/images/1/file/../../../outside.txt", "/etc/passwd",
    "/.loraprep/state.sqlite", "/outfit_a/001.png",
])
def test_traversal_attempts_get_no_file(client, path):
    r = client.get(path)
    assert r.status_code in (404, 422), (path, r.status_code)
    body = r.json()
    assert body["ok"] is False
    assert SECRET not in r.content and b"root:" not in r.content and b"SQLite" not in r.content


def test_a_tampered_store_path_is_refused(client, dataset, outside):
    from loraprep.store.db import open_store

    fid = file_ids(client)["outfit_a/001.png"]
    with open_store(dataset) as store, store.write() as conn:
        conn.execute("UPDATE files SET path=? WHERE id=?", ("../outside.txt", fid))
    r = client.get(f"/api/images/{fid}/file")
    assert r.status_code == 403 and SECRET not in r.content
    with open_store(dataset) as store, store.write() as conn:
        conn.execute("UPDATE files SET path=? WHERE id=?", (str(outside), fid))
    r = client.get(f"/api/images/{fid}/file")
    assert r.status_code == 403 and SECRET not in r.content


def test_a_symlink_swapped_to_point_outside_is_refused(tmp_path, make_client, outside):
    root = tmp_path / "linked"
    real = make_image(tmp_path / "elsewhere" / "real.png", (96, 96))
    (root / "c").mkdir(parents=True)
    os.symlink(real, root / "c" / "link.png")
    build_dataset(root, {"c/001.png": [("1girl", "general", 0.9)]})
    from loraprep import ops

    ops.scan(root, min_size=64)
    c = make_client(root)
    ids = file_ids(c)
    assert "c/link.png" in ids
    # The link the user made, as scanned, is served ...
    assert c.get(f"/api/images/{ids['c/link.png']}/file").content == real.read_bytes()
    # ... but once it is pointed at another file outside the dataset, it is refused.
    os.unlink(root / "c" / "link.png")
    os.symlink(outside, root / "c" / "link.png")
    r = c.get(f"/api/images/{ids['c/link.png']}/file")
    assert r.status_code == 403 and SECRET not in r.content
    assert c.get(f"/api/images/{ids['c/001.png']}/file").status_code == 200


def test_a_deleted_file_is_a_404_not_a_crash(client, dataset):
    fid = file_ids(client)["outfit_b/004.png"]
    (dataset / "outfit_b" / "004.png").unlink()
    r = client.get(f"/api/images/{fid}/file")
    assert r.status_code == 404 and r.json()["ok"] is False
