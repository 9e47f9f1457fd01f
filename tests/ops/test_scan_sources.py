"""scan imports a downloaded post's tags (origin booru:<site>:<id>); the user's .txt wins; status and caption
--why show where an image came from."""

from __future__ import annotations

from pathlib import Path

from loraprep import ops
from loraprep.ops.curate import caption
from loraprep.ops.download import download
from loraprep.store import journal
from loraprep.store.db import open_store
from loraprep.store.files import list_files
from tests.acquire.booru_server import booru  # noqa: F401


def _imports(root: Path) -> dict[str, dict[str, str]]:
    """path -> {tag: import origin} of the tags imported now."""
    with open_store(root) as store:
        ids = {f.path: f.image_id for f in list_files(store)}
        states = journal.tag_states(store.conn, imports_only=True)
    return {p: {t: s.import_origin for t, s in states.get(i, {}).items() if s.imported} for p, i in ids.items()}


def test_scan_imports_the_site_tags_with_their_origin(tmp_path, booru):
    server = booru("gelbooru")
    root = tmp_path / "ds"
    download(root / "kafka", site="gelbooru", tags="x", base_url=server.url, delay=0)
    report = ops.scan(root, min_size=16)
    assert report["scan"]["source_tags_imported"] == 5
    imported = _imports(root)
    tags = imported["kafka/gelbooru_102.jpg"]
    assert set(tags.values()) == {"booru:gelbooru:102"}
    assert list(tags)[:3] == ["kafka (honkai: star rail)", "honkai: star rail", "some artist"]
    assert {"long hair", "星空", "café au lait", "highres"} <= set(tags)
    assert "^_^" in imported["kafka/gelbooru_107.webp"]          # a kaomoji keeps its underscore
    again = ops.scan(root, min_size=16)
    assert again["scan"]["source_tags_imported"] == 0               # imported once


def test_caption_why_shows_the_post_and_meta_tags_meet_the_blacklist(tmp_path, booru):
    server = booru("danbooru")
    root = tmp_path / "ds"
    download(root / "kafka", site="danbooru", tags="x", base_url=server.url, delay=0)
    ops.scan(root, min_size=16)
    why = caption(root, "kafka/danbooru_101.png", why=True)
    kept = {t["tag"]: t for t in why["kept"]}
    assert kept["solo"]["source"] == "import" and kept["solo"]["origin"] == "booru:danbooru:101"
    dropped = {t["tag"] for t in why["dropped"]}
    assert {"highres", "commentary request"} <= dropped and "highres" not in why["caption"]
    source = why["source"]
    assert (source["site"], source["post_id"], source["score"], source["rating"]) == ("danbooru", 101, 25, "general")
    assert source["url"] == f"{server.url}/posts/101"
    status = ops.status(root)
    assert status["sources"] == {"booru:danbooru": 5}


def test_the_users_caption_file_wins_over_the_site_tags(tmp_path, booru):
    server = booru("e621")
    root = tmp_path / "ds"
    download(root / "c", site="e621", tags="x", base_url=server.url, delay=0)
    (root / "c" / "e621_103.txt").write_text("my own, words", encoding="utf-8")
    ops.scan(root, min_size=16)
    imported = _imports(root)
    assert imported["c/e621_103.png"] == {"my own": "file:c/e621_103.txt", "words": "file:c/e621_103.txt"}
    assert set(imported["c/e621_101.png"].values()) == {"booru:e621:101"}
    # A caption written after the site's tags were imported takes their place.
    (root / "c" / "e621_101.txt").write_text("later", encoding="utf-8")
    report = ops.scan(root, min_size=16)
    assert report["scan"]["source_tags_withdrawn"] == 1
    assert _imports(root)["c/e621_101.png"] == {"later": "file:c/e621_101.txt"}


def test_a_file_changed_after_the_download_is_no_longer_the_post(tmp_path, booru):
    from tests.conftest import make_image

    server = booru("yandere")
    root = tmp_path / "ds"
    download(root / "c", site="yandere", tags="x", base_url=server.url, delay=0)
    make_image(root / "c" / "yandere_101.png", (70, 70))   # the user painted over it
    ops.scan(root, min_size=16)
    assert _imports(root)["c/yandere_101.png"] == {}
    assert ops.status(root)["sources"] == {"booru:yandere": 4}
