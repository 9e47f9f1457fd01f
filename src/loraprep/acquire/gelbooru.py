"""Gelbooru 0.2 (gelbooru.com, safebooru.org and the many sites on its software): the dapi, page index ``pid``.

API: https://gelbooru.com/index.php?page=wiki&s=view&id=18780. Posts: ``index.php?page=dapi&s=post&q=index&
json=1&tags=..&limit=..&pid=..`` (pid counts pages from 0; at most 100 posts a page here). gelbooru.com answers
``{"@attributes": {...}, "post": [...]}`` and leaves "post" out past the end; older instances (safebooru.org)
answer a bare list, or an empty body past the end. The search ends at an empty page, or once @attributes'
count posts were seen (an instance may cap a page below the limit asked for, so a short page is not the end).
The md5 is "md5" (or "hash" on older instances). A post carries its tags as one string without types, so the
types come from the tag list (``s=tag&names=..``), asked once per page for the names not seen yet; types:
0 general, 1 artist, 3 copyright, 4 character, 5 metadata, 6 deprecated (general here).
Accounts send ``api_key`` and ``user_id`` (gelbooru.com may ask for them).
"""

from __future__ import annotations

from typing import Iterator

from loraprep.acquire.paging import well_formed
from loraprep.acquire.post import Post, as_int, extension, md5_of, split_tags
from loraprep.errors import NetworkError

PER_PAGE = 100
NAMES_PER_LOOKUP = 100
RATINGS = {"general": "general", "safe": "general", "s": "general", "sensitive": "sensitive",
           "questionable": "questionable", "q": "questionable", "explicit": "explicit", "e": "explicit"}
_TYPES = {0: "general", 1: "artist", 3: "copyright", 4: "character", 5: "meta", 6: "general",
          "tag": "general", "general": "general", "artist": "artist", "copyright": "copyright",
          "character": "character", "metadata": "meta", "meta": "meta", "deprecated": "general"}


def search(http, base: str, site: str, tags: str, credentials: dict) -> Iterator[list[Post]]:
    params = {"page": "dapi", "s": "post", "q": "index", "json": 1, "tags": tags, "limit": PER_PAGE, "pid": 0,
              **_auth(credentials)}
    types: dict[str, str] = {}
    seen = 0
    while True:
        answer = http.get_json(f"{base}/index.php", params)
        raw = _listed(answer, "post")
        found = [p for p in raw if isinstance(p, dict) and as_int(p.get("id"))]
        _learn_types(http, base, credentials, types, {t for p in found for t in split_tags(p.get("tags"))})
        posts = well_formed(found, lambda p: parse_post(p, site, base, types))
        if not raw:
            return
        if posts:
            yield posts
        seen += len(raw)
        if seen >= _total(answer):
            return
        params["pid"] += 1


def _total(answer) -> float:
    """The search's size when the site says it (gelbooru.com's @attributes count); else unknown (infinite)."""
    count = as_int(answer.get("@attributes", {}).get("count")) if isinstance(answer, dict) else None
    return float("inf") if count is None else count


def _auth(credentials: dict) -> dict:
    if credentials.get("user") and credentials.get("api_key"):
        return {"api_key": credentials["api_key"], "user_id": credentials["user"]}
    return {}


def _listed(answer, key: str) -> list:
    """The items of a dapi answer: ``{key: [...]}``, ``{key: {...}}`` (one item) or a bare list."""
    if isinstance(answer, dict):
        items = answer.get(key) or []
        return [items] if isinstance(items, dict) else items if isinstance(items, list) else []
    return answer if isinstance(answer, list) else []


def _learn_types(http, base: str, credentials: dict, types: dict, names: set[str]) -> None:
    """Ask the tag list for the types of names not known yet; a site without that API leaves them general."""
    unknown = sorted(n for n in names if n not in types)
    for start in range(0, len(unknown), NAMES_PER_LOOKUP):
        chunk = unknown[start:start + NAMES_PER_LOOKUP]
        params = {"page": "dapi", "s": "tag", "q": "index", "json": 1, "names": " ".join(chunk),
                  "limit": len(chunk), **_auth(credentials)}
        try:
            answer = http.get_json(f"{base}/index.php", params)
        except NetworkError:
            answer = None
        for item in _listed(answer, "tag"):
            if isinstance(item, dict) and isinstance(item.get("name"), str):
                kind = item.get("type")
                kind = as_int(kind) if isinstance(kind, str) and kind.isdigit() else kind
                types[item["name"]] = _TYPES.get(kind.lower() if isinstance(kind, str) else kind, "general")
        for name in chunk:
            types.setdefault(name, "general")


def parse_post(raw: dict, site: str, base: str, types: dict) -> Post:
    post_id = int(raw["id"])
    tags: dict[str, list[str]] = {}
    for name in split_tags(raw.get("tags")):
        tags.setdefault(types.get(name, "general"), []).append(name)
    file_url = raw.get("file_url") or None
    return Post(
        site=site, post_id=post_id, page_url=f"{base}/index.php?page=post&s=view&id={post_id}", file_url=file_url,
        md5=md5_of(raw.get("md5") or raw.get("hash")), ext=extension(file_url or raw.get("image")),
        score=as_int(raw.get("score")), rating=RATINGS.get(str(raw.get("rating") or "").lower()),
        tags={c: tuple(v) for c, v in tags.items()}, width=as_int(raw.get("width")),
        height=as_int(raw.get("height")), gone="deleted" if raw.get("status") == "deleted" else None)
