"""Fixtures for the editor tests: a scanned, tagged dataset and an in-process client holding the token."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import make_image

TOKEN = "test-token-0123456789"
TAGS = {
    "outfit_a/001.png": [("1girl", "general", 0.99), ("red hair", "general", 0.9), ("hat", "general", 0.7),
                         ("smile", "general", 0.5), ("blurry", "general", 0.2), ("watermark", "meta", 0.8),
                         ("alice", "character", 0.95)],
    "outfit_a/002.png": [("1girl", "general", 0.98), ("red hair", "general", 0.8), ("smile", "general", 0.6),
                         ("blurry", "general", 0.7)],
    "outfit_b/003.png": [("1girl", "general", 0.97), ("blue hair", "general", 0.85), ("armor", "general", 0.9)],
    "outfit_b/004.png": [("1girl", "general", 0.96), ("blue hair", "general", 0.8), ("armor", "general", 0.75),
                         ("hat", "general", 0.4)],
}


def workspace_class():
    """The Workspace the editor serves (imported lazily, as the server does)."""
    from loraprep.ops.workspace import Workspace

    return Workspace


def build_dataset(root: Path, tags: dict = TAGS, sizes=None) -> Path:
    from loraprep import ops
    from loraprep.store.db import open_store
    from loraprep.store.files import list_files
    from loraprep.store.tags import write_scores

    for i, rel in enumerate(tags):
        make_image(root / rel, (sizes or {}).get(rel, (96, 96)), color=(40 * i, 100, 200 - 30 * i))
    ops.scan(root, min_size=64)
    with open_store(root) as store:
        by_path = {f.path: f.image_id for f in list_files(store)}
        with store.write() as conn:
            for rel, scores in tags.items():
                write_scores(conn, by_path[rel], "demo@1", scores)
    return root


@pytest.fixture
def dataset(tmp_path: Path) -> Path:
    return build_dataset(tmp_path / "ds")


@pytest.fixture
def make_client(dataset):
    """make_client(**kw) -> TestClient with the token cookie already traded in; closes them all at the end."""
    from fastapi.testclient import TestClient

    from loraprep.web.app import create_app
    from loraprep.web.service import Editor

    made = []

    def make(root: Path = dataset, *, login: bool = True, port: int | None = None, raise_errors: bool = True):
        editor = Editor(root, workspace=workspace_class()(root))
        app = create_app(root, token=TOKEN, editor=editor, port=port)
        client = TestClient(app, base_url=f"http://127.0.0.1{':' + str(port) if port else ''}",
                            raise_server_exceptions=raise_errors)
        client.__enter__()
        made.append(client)
        if login:
            r = client.get(f"/?token={TOKEN}", follow_redirects=False)
            assert r.status_code == 303
        client.editor = editor
        return client

    yield make
    for c in made:
        c.__exit__(None, None, None)


@pytest.fixture
def client(make_client):
    return make_client()


def file_ids(client) -> dict[str, int]:
    cols = client.get("/api/images").json()["columns"]
    return dict(zip(cols["path"], cols["id"]))
