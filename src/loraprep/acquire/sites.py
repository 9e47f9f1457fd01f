"""The `--site` names: which software each runs, its address, its pace and its tag-count limit."""

from __future__ import annotations

import urllib.parse
from dataclasses import dataclass

from loraprep.errors import UsageError


@dataclass(frozen=True)
class Site:
    name: str
    software: str           # danbooru | gelbooru | moebooru | e621: the module that talks to it
    base_url: str
    delay: float            # seconds between requests (the site's documented limit, or politer)
    tag_limit: int | None   # tags per search for an anonymous user (None: no documented limit)


SITES = {s.name: s for s in (
    Site("danbooru", "danbooru", "https://danbooru.donmai.us", 0.5, 2),
    Site("gelbooru", "gelbooru", "https://gelbooru.com", 1.0, None),
    Site("safebooru", "gelbooru", "https://safebooru.org", 1.0, None),
    Site("e621", "e621", "https://e621.net", 1.0, 40),
    Site("yandere", "moebooru", "https://yande.re", 1.0, 6),
    Site("konachan", "moebooru", "https://konachan.com", 1.0, 6),
)}


def resolve(name: str, base_url: str | None) -> Site:
    """The site a `--site` (and `--base-url`) names; a mirror keeps the software, pace and limits of its site."""
    key = (name or "").strip().lower().replace(".", "")
    site = SITES.get({"yande": "yandere", "yandre": "yandere", "e926": "e621"}.get(key, key))
    if site is None:
        raise UsageError(f"unknown site {name!r}", hint=f"--site is one of {', '.join(SITES)}")
    if not base_url:
        return site
    parsed = urllib.parse.urlsplit(base_url.strip())
    if parsed.scheme not in ("http", "https") or not parsed.netloc or parsed.query or parsed.fragment:
        raise UsageError(f"--base-url {base_url!r} is not an http(s) address of a site's root",
                         hint="for example --base-url https://safebooru.donmai.us")
    root = f"{parsed.scheme}://{parsed.netloc}{parsed.path.rstrip('/')}"
    return Site(site.name, site.software, root, site.delay, site.tag_limit)


def client_module(site: Site):
    """The module that speaks the site's software (each has ``search`` and ``parse_post``)."""
    from loraprep.acquire import danbooru, e621, gelbooru, moebooru

    return {"danbooru": danbooru, "gelbooru": gelbooru, "moebooru": moebooru, "e621": e621}[site.software]
