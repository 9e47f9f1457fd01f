"""Danbooru (danbooru.donmai.us, safebooru.donmai.us and other instances): /posts.json, `b<id>` page cursors.

API: https://danbooru.donmai.us/wiki_pages/help:api and help:cheatsheet. A page holds at most 200 posts; deep
pages by number are refused past page 1000, so after the first page the search moves by ``page=b<lowest id>``
(posts before that id), as gallery-dl's danbooru extractor does. A search ordered otherwise (``order:``) pages
by number. Anonymous and Member accounts may use 2 tags per search (Gold 6); rating:/status: count too, so
loraprep filters ratings itself instead of adding a tag. Tags come per category in tag_string_<category>.
"""

from __future__ import annotations

from typing import Iterator

from loraprep.acquire.paging import before_id_pages, login_params
from loraprep.acquire.post import Post, as_int, extension, md5_of, split_tags

PER_PAGE = 200
ANONYMOUS_TAG_LIMIT = 2
RATINGS = {"g": "general", "s": "sensitive", "q": "questionable", "e": "explicit"}


def search(http, base: str, site: str, tags: str, credentials: dict) -> Iterator[list[Post]]:
    """Pages of posts, newest first, until the site has no more (an error document ends it too)."""
    params = {"tags": tags, "limit": PER_PAGE, **login_params(credentials)}
    return before_id_pages(http, f"{base}/posts.json", params, _posts, lambda p: parse_post(p, site, base))


def _posts(answer) -> list:
    return answer if isinstance(answer, list) else []  # a dict is an error document: {"success": false, ...}


def parse_post(raw: dict, site: str, base: str) -> Post:
    post_id = int(raw["id"])
    gone = "banned" if raw.get("is_banned") else "deleted" if raw.get("is_deleted") else None
    file_url = raw.get("file_url") or None
    return Post(
        site=site, post_id=post_id, page_url=f"{base}/posts/{post_id}", file_url=file_url,
        md5=md5_of(raw.get("md5")), ext=extension(file_url, raw.get("file_ext")), score=as_int(raw.get("score")),
        rating=RATINGS.get(str(raw.get("rating") or "")),
        tags={c: split_tags(raw.get(f"tag_string_{c}")) for c in ("general", "character", "copyright", "artist",
                                                                  "meta")},
        width=as_int(raw.get("image_width")), height=as_int(raw.get("image_height")), gone=gone)
