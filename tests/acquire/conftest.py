"""The fixture booru: a real server on 127.0.0.1 per test, stopped after it."""

from __future__ import annotations

import pytest

from tests.acquire.booru_server import FakeBooru, FakePost, image_bytes

SITE_SOFTWARE = {"danbooru": "danbooru", "gelbooru": "gelbooru", "safebooru": "safebooru", "e621": "e621",
                 "yandere": "moebooru", "konachan": "moebooru"}


def sample_posts() -> list[FakePost]:
    """Eight posts of varied sizes and formats: five good ones (one with unicode tags), a deleted one, one
    without a file URL, a video."""
    tags = lambda *general, character=("kafka_(honkai:_star_rail)",): {  # noqa: E731
        "general": general, "character": character, "copyright": ("honkai:_star_rail",),
        "artist": ("some_artist",), "meta": ("highres", "commentary_request")}
    return [
        FakePost(101, image_bytes((80, 60), (200, 10, 10)), "png", "general", 25, tags("1girl", "solo"), 80, 60),
        FakePost(102, image_bytes((50, 90), (10, 200, 10), "JPEG"), "jpg", "sensitive", 3,
                 tags("1girl", "long_hair", "星空", "café_au_lait"), 50, 90),
        FakePost(103, image_bytes((64, 64), (10, 10, 200)), "png", "questionable", 40, tags("sword"), 64, 64),
        FakePost(104, b"", "png", "general", 5, tags("deleted_one"), 64, 64, deleted=True),
        FakePost(105, image_bytes((70, 40), (90, 90, 9)), "png", "general", 7, tags("hidden"), 70, 40,
                 no_file=True),
        FakePost(106, b"\x00\x00\x00\x18ftypmp42" + b"\x00" * 64, "mp4", "general", 50, tags("video"), 640, 360),
        FakePost(107, image_bytes((90, 90), (100, 30, 160), "WEBP"), "webp", "explicit", 12,
                 tags("smile", "^_^"), 90, 90),
        FakePost(108, image_bytes((33, 77), (5, 5, 5)), "png", "general", 1, tags("standing"), 33, 77),
    ]


@pytest.fixture
def booru():
    """booru(site, posts=None, per_page=3) -> a started FakeBooru answering as that site's software."""
    started = []

    def start(site: str, posts=None, per_page: int = 3) -> FakeBooru:
        server = FakeBooru(SITE_SOFTWARE[site], sample_posts() if posts is None else posts, per_page=per_page)
        started.append(server.start())
        return server

    yield start
    for server in started:
        server.stop()
