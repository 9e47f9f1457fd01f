"""Moebooru (yande.re, konachan.com and other instances): /post.json, page numbers, tag types in one request.

API: https://yande.re/help/api. A page holds at most 100 posts here (the sites allow more; 100 keeps each answer
small), numbered from 1; an empty page is the end (an instance may cap a page below the limit asked for, so a
short page is not). With ``api_version=2&include_tags=1`` the answer is
``{"posts": [...], "tags": {name: type}}`` (moebooru's Post.batch_api_data), so one request gives the tag types
of the whole page; an instance that answers the plain list gets its tags as general. Types: artist (and
yande.re's circle), copyright, character, general; faults and style are metadata. Deleted posts have no
file_url and status "deleted". A search holds at most 6 tags (moebooru's tag_query_limit).
"""

from __future__ import annotations

from typing import Iterator

from loraprep.acquire.paging import well_formed
from loraprep.acquire.post import Post, as_int, extension, md5_of, split_tags

PER_PAGE = 100
TAG_LIMIT = 6
RATINGS = {"s": "general", "q": "questionable", "e": "explicit"}
_TYPES = {"general": "general", "artist": "artist", "circle": "artist", "copyright": "copyright",
          "character": "character", "faults": "meta", "style": "meta", "meta": "meta"}


def search(http, base: str, site: str, tags: str, credentials: dict) -> Iterator[list[Post]]:
    # Reading needs no account on moebooru sites; their login (password hash) is never asked for.
    params = {"tags": tags, "limit": PER_PAGE, "page": 1, "api_version": 2, "include_tags": 1}
    while True:
        answer = http.get_json(f"{base}/post.json", params)
        if isinstance(answer, dict):
            raw, types = answer.get("posts") or [], answer.get("tags") or {}
        else:
            raw, types = answer or [], {}
        posts = well_formed(raw, lambda p: parse_post(p, site, base, types))
        if not raw:
            return
        if posts:
            yield posts
        params["page"] += 1


def parse_post(raw: dict, site: str, base: str, types: dict) -> Post:
    post_id = int(raw["id"])
    tags: dict[str, list[str]] = {}
    for name in split_tags(raw.get("tags")):
        tags.setdefault(_TYPES.get(str(types.get(name, "general")).lower(), "general"), []).append(name)
    status = str(raw.get("status") or "active")
    file_url = raw.get("file_url") or None
    return Post(
        site=site, post_id=post_id, page_url=f"{base}/post/show/{post_id}", file_url=file_url,
        md5=md5_of(raw.get("md5")), ext=extension(file_url, raw.get("file_ext")), score=as_int(raw.get("score")),
        rating=RATINGS.get(str(raw.get("rating") or "")), tags={c: tuple(v) for c, v in tags.items()},
        width=as_int(raw.get("width")), height=as_int(raw.get("height")),
        gone="deleted" if status == "deleted" else None)
