"""Post filters and site names: pure decisions."""

from __future__ import annotations

import pytest

from loraprep.acquire.filters import parse_filters, skip_reason
from loraprep.acquire.post import Post
from loraprep.acquire.sites import resolve
from loraprep.errors import UsageError


def _post(**kw) -> Post:
    base = dict(site="danbooru", post_id=1, page_url="u", file_url="http://x/a.png", md5=None, ext="png",
                score=5, rating="general", tags={"general": ("long_hair",)}, width=800, height=600)
    return Post(**{**base, **kw})


@pytest.mark.parametrize("ext, word", [("zip", "ugoira"), ("mp4", "video"), ("webm", "video"), ("swf", "flash")])
def test_not_still_images_are_skipped(ext, word):
    assert word in skip_reason(_post(ext=ext), parse_filters(None, None, None, None))


def test_each_filter_says_why():
    f = parse_filters("general, sensitive", 3, 700, "Long_Hair")
    assert skip_reason(_post(height=700), f) == "has the excluded tag 'long hair'"
    assert "rating explicit" in skip_reason(_post(rating="explicit", tags={}), f)
    assert "score 2 below 3" in skip_reason(_post(score=2, tags={}), f)
    assert "shorter side below 700" in skip_reason(_post(height=600, tags={}), f)
    assert skip_reason(_post(height=700, tags={}), f) is None
    assert "deleted" in skip_reason(_post(gone="deleted"), f)
    assert "no file URL" in skip_reason(_post(file_url=None), f)


def test_bad_rating_and_site_names_are_usage_errors():
    with pytest.raises(UsageError):
        parse_filters("safe-ish", None, None, None)
    with pytest.raises(UsageError):
        resolve("pixiv", None)
    with pytest.raises(UsageError):
        resolve("danbooru", "ftp://example.org")


def test_base_url_keeps_the_software_of_the_site():
    site = resolve("danbooru", "https://safebooru.donmai.us/")
    assert (site.software, site.base_url, site.name) == ("danbooru", "https://safebooru.donmai.us", "danbooru")
    assert resolve("safebooru", None).software == "gelbooru"
    assert resolve("konachan", None).software == "moebooru"
