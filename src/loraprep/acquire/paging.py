"""What the site clients share: Danbooru-style `page=b<lowest id>` paging, login + api_key, well-formed posts."""

from __future__ import annotations

from typing import Callable, Iterator

from loraprep.acquire.post import Post, as_int


def before_id_pages(http, url: str, params: dict, items: Callable, parse: Callable) -> Iterator[list[Post]]:
    """Pages until an empty one: by ``page=b<lowest id seen>`` (posts older than it: no deep-page limit), or by
    number for an ``order:`` search, where ids do not fall page by page. ``items`` takes a page's posts out of
    the answer; ``parse`` makes one Post."""
    by_number = any(t.startswith("order:") for t in str(params.get("tags", "")).split())
    params = {**params, "page": 1}
    while True:
        posts = well_formed(items(http.get_json(url, params)), parse)
        if not posts:
            return
        yield posts
        params["page"] = params["page"] + 1 if by_number else f"b{min(p.post_id for p in posts)}"


def well_formed(raw, parse: Callable) -> list[Post]:
    """The posts of a page that are objects with an id (anything else an instance sends is passed over)."""
    return [parse(p) for p in (raw if isinstance(raw, list) else []) if isinstance(p, dict) and as_int(p.get("id"))]


def login_params(credentials: dict) -> dict:
    """Danbooru's and e621's account parameters (both take login + api_key), or none."""
    if credentials.get("user") and credentials.get("api_key"):
        return {"login": credentials["user"], "api_key": credentials["api_key"]}
    return {}
