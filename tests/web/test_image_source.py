"""The editor's image detail carries where a downloaded image came from (the post), and nothing for others."""

from __future__ import annotations

from loraprep import ops
from loraprep.ops.download import download
from tests.acquire.booru_server import booru  # noqa: F401
from tests.web.conftest import file_ids


def test_image_detail_shows_the_post(tmp_path, booru, make_client):
    from tests.conftest import make_image

    server = booru("danbooru")
    root = tmp_path / "dl"
    download(root / "c", site="danbooru", tags="x", base_url=server.url, delay=0)
    make_image(root / "c" / "mine.png", (64, 64))
    ops.scan(root, min_size=16)
    client = make_client(root)
    ids = file_ids(client)
    source = client.get(f"/api/images/{ids['c/danbooru_103.png']}").json()["source"]
    assert (source["origin"], source["post_id"], source["score"], source["rating"]) == (
        "booru:danbooru:103", 103, 40, "questionable")
    assert source["url"] == f"{server.url}/posts/103"
    assert client.get(f"/api/images/{ids['c/mine.png']}").json()["source"] is None
