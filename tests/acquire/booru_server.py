"""A real HTTP server on 127.0.0.1 that answers like each booru software's API, with faults on request."""

from __future__ import annotations

import hashlib
import io
import json
import threading
import urllib.parse
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from PIL import Image

CATEGORIES = ("general", "character", "copyright", "artist", "meta")
DANBOORU_RATING = {"general": "g", "sensitive": "s", "questionable": "q", "explicit": "e"}
THREE_LEVEL = {"general": "s", "sensitive": "s", "questionable": "q", "explicit": "e"}
GELBOORU_TYPE = {"general": 0, "artist": 1, "copyright": 3, "character": 4, "meta": 5}


def image_bytes(size=(64, 48), color=(10, 120, 200), fmt="PNG", frames: int = 1) -> bytes:
    out = io.BytesIO()
    pictures = [Image.new("RGB", size, (color[0], (color[1] + 40 * i) % 256, color[2])) for i in range(frames)]
    if frames > 1:
        pictures[0].save(out, format=fmt, save_all=True, append_images=pictures[1:], duration=50, loop=0)
    else:
        pictures[0].save(out, format=fmt)
    return out.getvalue()


@dataclass
class FakePost:
    id: int
    data: bytes = b""
    ext: str = "png"
    rating: str = "general"
    score: int = 10
    tags: dict = field(default_factory=dict)
    width: int = 64
    height: int = 48
    deleted: bool = False
    no_file: bool = False
    md5: str | None = None      # what the site says; None: the true md5 of data

    def site_md5(self) -> str:
        return self.md5 or hashlib.md5(self.data).hexdigest()

    def all_tags(self) -> list[str]:
        return [t for c in CATEGORIES for t in self.tags.get(c, ())]


class FakeBooru:
    """Posts served in one software's JSON shape (``software``: danbooru | e621 | moebooru | gelbooru |
    safebooru, the older Gelbooru 0.2 with bare lists); ``per_page`` caps a page below what is asked for."""

    def __init__(self, software: str, posts: list[FakePost], *, per_page: int = 3):
        self.software, self.posts, self.per_page = software, sorted(posts, key=lambda p: -p.id), per_page
        self.faults: dict[str, list[tuple]] = {}   # path prefix -> actions taken one per request
        self.log: list[str] = []                   # every request's path and query, in order
        self.headers: list[dict] = []
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def start(self) -> "FakeBooru":
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def fault(self, prefix: str, *actions: tuple) -> None:
        self.faults.setdefault(prefix, []).extend(actions)

    def file_url(self, post: FakePost) -> str:
        return f"{self.url}/data/{post.site_md5()}.{post.ext}"

    # ---- the APIs --------------------------------------------------------------------------------------
    def answer(self, path: str, query: dict) -> tuple[int, dict, bytes]:
        if path.startswith("/data/"):
            name = path.rsplit("/", 1)[-1].split(".")[0]
            post = next((p for p in self.posts if p.site_md5() == name), None)
            return (200, {"Content-Type": "application/octet-stream"}, post.data) if post else (404, {}, b"")
        route = {"danbooru": ("/posts.json", self._danbooru), "e621": ("/posts.json", self._e621),
                 "moebooru": ("/post.json", self._moebooru), "gelbooru": ("/index.php", self._gelbooru),
                 "safebooru": ("/index.php", self._gelbooru)}[self.software]
        if path != route[0]:
            return 404, {}, b"not found"
        body = route[1](query)
        raw = b"" if body is None else json.dumps(body, ensure_ascii=False).encode("utf-8")
        return 200, {"Content-Type": "application/json; charset=utf-8"}, raw

    def _slice_by_cursor(self, query: dict) -> list[FakePost]:
        limit = min(int(query.get("limit", 20)), self.per_page)
        page = query.get("page", "1")
        if page.startswith("b"):
            return [p for p in self.posts if p.id < int(page[1:])][:limit]
        start = (int(page) - 1) * limit
        return self.posts[start:start + limit]

    def _danbooru(self, query):
        return [self._danbooru_post(p) for p in self._slice_by_cursor(query)]

    def _danbooru_post(self, p: FakePost) -> dict:
        raw = {"id": p.id, "score": p.score, "rating": DANBOORU_RATING[p.rating], "image_width": p.width,
               "image_height": p.height, "file_ext": p.ext, "is_deleted": p.deleted, "is_banned": False,
               "tag_string": " ".join(p.all_tags())}
        raw.update({f"tag_string_{c}": " ".join(p.tags.get(c, ())) for c in CATEGORIES})
        if not p.no_file:
            raw.update(md5=p.site_md5(), file_url=self.file_url(p), large_file_url=self.file_url(p))
        return raw

    def _e621(self, query):
        posts = []
        for p in self._slice_by_cursor(query):
            tags = {c: list(p.tags.get(c, ())) for c in CATEGORIES}
            tags.update(species=[], invalid=["bad_tag_here"], lore=[], contributor=[])
            posts.append({"id": p.id, "rating": THREE_LEVEL[p.rating], "tags": tags,
                          "score": {"up": p.score, "down": 0, "total": p.score},
                          "flags": {"deleted": p.deleted, "pending": False},
                          "file": {"width": p.width, "height": p.height, "ext": p.ext, "size": len(p.data),
                                   "md5": p.site_md5(), "url": None if p.no_file or p.deleted else self.file_url(p)}})
        return {"posts": posts}

    def _moebooru(self, query):
        chosen = self._slice_by_cursor(query)
        posts = []
        for p in chosen:
            raw = {"id": p.id, "tags": " ".join(p.all_tags()), "md5": p.site_md5(), "file_ext": p.ext,
                   "score": p.score, "rating": THREE_LEVEL[p.rating], "width": p.width, "height": p.height,
                   "status": "deleted" if p.deleted else "active"}
            if not (p.no_file or p.deleted):
                raw["file_url"] = self.file_url(p)
            posts.append(raw)
        names = {t: c for p in chosen for c in CATEGORIES for t in p.tags.get(c, ())}
        types = {t: {"meta": "faults"}.get(c, c) for t, c in names.items()}
        return {"posts": posts, "pools": [], "pool_posts": [], "tags": types}

    def _gelbooru(self, query):
        if query.get("s") == "tag":
            wanted = set(query.get("names", "").split())
            rows = [{"id": i, "name": t, "count": 1, "type": GELBOORU_TYPE[c], "ambiguous": 0}
                    for i, (t, c) in enumerate(sorted({(t, c) for p in self.posts for c in CATEGORIES
                                                       for t in p.tags.get(c, ())})) if t in wanted]
            return rows if self.software == "safebooru" else {"@attributes": {"count": len(rows)}, "tag": rows}
        limit = min(int(query.get("limit", 100)), self.per_page)
        pid = int(query.get("pid", 0))
        chosen = self.posts[pid * limit:(pid + 1) * limit]
        posts = []
        for p in chosen:
            raw = {"id": p.id, "tags": " " + " ".join(p.all_tags()) + " ", "score": p.score,
                   "rating": p.rating if self.software == "gelbooru" else "safe", "width": p.width,
                   "height": p.height, "image": f"{p.site_md5()}.{p.ext}", "directory": "ab/cd",
                   "status": "deleted" if p.deleted else "active"}
            raw["md5" if self.software == "gelbooru" else "hash"] = p.site_md5()
            if not p.no_file:
                raw["file_url"] = self.file_url(p)
            posts.append(raw)
        if self.software == "safebooru":
            return posts or None   # the older software answers an empty body past the end
        answer = {"@attributes": {"limit": limit, "offset": pid * limit, "count": len(self.posts)}}
        if posts:
            answer["post"] = posts
        return answer

    # ---- the server ------------------------------------------------------------------------------------
    def _handler(self):
        booru = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):  # quiet
                pass

            def do_GET(self):
                parsed = urllib.parse.urlsplit(self.path)
                booru.log.append(self.path)
                booru.headers.append(dict(self.headers))
                query = dict(urllib.parse.parse_qsl(parsed.query))
                status, headers, body = booru.answer(parsed.path, query)
                action = booru._next_fault(parsed.path)
                if action and action[0] == "status":
                    self.send_response(action[1])
                    for k, v in (action[2] if len(action) > 2 else {}).items():
                        self.send_header(k, v)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                self.send_response(status)
                for k, v in headers.items():
                    self.send_header(k, v)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                if action and action[0] == "truncate":
                    self.wfile.write(body[:len(body) // 2])
                    self.wfile.flush()
                    self.close_connection = True
                    return
                self.wfile.write(body)

        return Handler

    def _next_fault(self, path: str):
        for prefix, actions in self.faults.items():
            if path.startswith(prefix) and actions:
                return actions.pop(0)
        return None


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
