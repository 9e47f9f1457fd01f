"""e621 (and e926, and other instances of its software): /posts.json with tags grouped by category.

API: https://e621.net/help/api. Every request must carry a User-Agent naming the program (http.py sends one);
at most 2 requests a second (we keep to 1); a page holds at most 320 posts and pages go by ``page=b<lowest id>``
after the first; 40 tags per search. ``file.url`` is null for deleted posts and for posts the site hides from
anonymous users. Categories: species are descriptive (general here); lore, contributor and meta are metadata;
invalid tags are not imported.
"""

from __future__ import annotations

from typing import Iterator

from loraprep.acquire.paging import before_id_pages, login_params
from loraprep.acquire.post import Post, as_int, extension, md5_of

PER_PAGE = 320
TAG_LIMIT = 40
RATINGS = {"s": "general", "q": "questionable", "e": "explicit"}
_CATEGORY = {"general": "general", "species": "general", "character": "character", "copyright": "copyright",
             "artist": "artist", "meta": "meta", "lore": "meta", "contributor": "meta"}


def search(http, base: str, site: str, tags: str, credentials: dict) -> Iterator[list[Post]]:
    params = {"tags": tags, "limit": PER_PAGE, **login_params(credentials)}
    return before_id_pages(http, f"{base}/posts.json", params, _posts, lambda p: parse_post(p, site, base))


def _posts(answer) -> list:
    return answer.get("posts") or [] if isinstance(answer, dict) else []


def parse_post(raw: dict, site: str, base: str) -> Post:
    post_id = int(raw["id"])
    file = raw.get("file") if isinstance(raw.get("file"), dict) else {}
    flags = raw.get("flags") if isinstance(raw.get("flags"), dict) else {}
    score = raw.get("score")
    tags: dict[str, list[str]] = {}
    for category, names in (raw.get("tags") or {}).items():
        target = _CATEGORY.get(category)
        if target and isinstance(names, list):
            tags.setdefault(target, []).extend(n for n in names if isinstance(n, str))
    file_url = file.get("url") or None
    return Post(
        site=site, post_id=post_id, page_url=f"{base}/posts/{post_id}", file_url=file_url,
        md5=md5_of(file.get("md5")), ext=extension(file_url, file.get("ext")),
        score=as_int(score.get("total") if isinstance(score, dict) else score),
        rating=RATINGS.get(str(raw.get("rating") or "")), tags={c: tuple(v) for c, v in tags.items()},
        width=as_int(file.get("width")), height=as_int(file.get("height")),
        gone="deleted" if flags.get("deleted") else None)
