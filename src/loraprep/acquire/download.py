"""Download a booru search into a concept folder: new files only, checked, named by site and post, recorded."""

from __future__ import annotations

import hashlib
import os
import re
import secrets
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from loraprep.acquire.filters import Filters, skip_reason
from loraprep.acquire.http import FileRejected, HttpClient
from loraprep.acquire.post import Post
from loraprep.acquire.sites import Site, client_module
from loraprep.errors import NetworkError
from loraprep.store import files as file_rows
from loraprep.store.db import Store
from loraprep.store.sources import Source, record_sources, sources_by_path

KIND = "booru"
STALE_TEMP_SECONDS = 600  # a temporary file untouched this long was left by a killed run (a live one writes)
_TEMP = re.compile(r"^\.[A-Za-z0-9_]+_\d+\.[a-z0-9]+\.[0-9a-f]{8}\.part$")


@dataclass
class Outcome:
    """What one download run did: files written, posts skipped (with why) and per-post errors."""

    downloaded: list = field(default_factory=list)
    skipped: list = field(default_factory=list)
    errors: list = field(default_factory=list)
    known: int = 0      # posts recorded by an earlier run: skipped without a word each
    pages: int = 0
    stopped: str | None = None


@dataclass
class _Known:
    origins: set
    md5s: dict          # md5 -> path it was downloaded to
    image_ids: set      # content hashes of every image in the store (and every acquired file)

    @classmethod
    def of(cls, store: Store, base_url: str) -> "_Known":
        rows = sources_by_path(store, kind=KIND).values()
        # Post ids are per instance: a mirror's post 5 is not this site's post 5 unless it is the same base.
        origins = {s.origin for s in rows if s.data.get("base_url", base_url) == base_url}
        md5s = {s.data["md5"]: s.path for s in rows if s.data.get("md5")}
        ids = file_rows.known_images(store) | {s.sha256 for s in rows}
        return cls(origins, md5s, ids)


Progress = Callable[[int, "int | None"], None]  # (new files, --limit or None)


def download_posts(store: Store, folder: Path, site: Site, tags: str, filters: Filters, limit: int | None,
                   credentials: dict, http: HttpClient, progress: Progress | None = None) -> Outcome:
    """Walk the search page by page until ``limit`` new files are written or the site has no more."""
    folder.mkdir(parents=True, exist_ok=True)
    _remove_stale_temps(folder)
    known = _Known.of(store, site.base_url)
    outcome = Outcome()
    pages = client_module(site).search(http, site.base_url, site.name, tags, credentials)
    while limit is None or len(outcome.downloaded) < limit:
        try:
            page = next(pages, None)
        except NetworkError as exc:
            if not outcome.pages:
                raise
            outcome.stopped = f"{exc.message} ({exc.hint})" if exc.hint else exc.message
            break
        if page is None:
            break
        outcome.pages += 1
        for post in page:
            if limit is not None and len(outcome.downloaded) >= limit:
                break
            _take(store, folder, post, filters, known, http, outcome, site.base_url)
            if progress:
                progress(len(outcome.downloaded), limit)  # None: no end known, the bar just counts
    return outcome


def _remove_stale_temps(folder: Path) -> None:
    """Remove what a killed run left (only our own temporary names, and only when nothing writes them now)."""
    cutoff = time.time() - STALE_TEMP_SECONDS
    for entry in os.scandir(folder):
        try:
            if _TEMP.match(entry.name) and entry.is_file(follow_symlinks=False) \
                    and entry.stat(follow_symlinks=False).st_mtime < cutoff:
                os.unlink(entry.path)
        except OSError:
            pass  # gone meanwhile, or not ours to remove: the next run tries again


def _take(store: Store, folder: Path, post: Post, filters: Filters, known: _Known, http: HttpClient,
          outcome: Outcome, base_url: str) -> None:
    if post.origin in known.origins:
        outcome.known += 1
        return
    reason = skip_reason(post, filters)
    if reason is None and post.md5 in known.md5s:
        reason = f"the same file (md5) was downloaded as {known.md5s[post.md5]}"
    if reason:
        outcome.skipped.append(_entry(post, reason=reason))
        return
    name = f"{post.site}_{post.post_id}.{post.ext}"
    target = folder / name
    rel = target.relative_to(store.root).as_posix()
    if target.exists():
        _adopt_or_skip(store, target, rel, post, known, outcome, base_url)
        return
    temp = folder / f".{name}.{secrets.token_hex(4)}.part"  # hidden: scan never takes it for an image
    try:
        md5, sha = http.download(post.file_url, temp, md5=post.md5)
        problem = _picture_problem(temp, filters.min_side) or (
            "the same bytes are already in the dataset" if sha in known.image_ids else None)
        if problem:
            outcome.skipped.append(_entry(post, reason=problem))
            return
        os.link(temp, target)  # fails rather than replace a file that appeared meanwhile
    except FileRejected as exc:
        outcome.errors.append(_entry(post, error=str(exc)))
        return
    except NetworkError as exc:
        outcome.errors.append(_entry(post, error=exc.message))
        return
    except FileExistsError:
        outcome.skipped.append(_entry(post, reason=f"{rel} appeared while downloading"))
        return
    finally:
        temp.unlink(missing_ok=True)
    _record(store, rel, sha, md5, post, known, base_url)
    outcome.downloaded.append(_entry(post, path=rel))


def _adopt_or_skip(store: Store, target: Path, rel: str, post: Post, known: _Known, outcome: Outcome,
                   base_url: str) -> None:
    """A file of this post's name is there already: a run stopped after writing it and before recording it
    (same md5: recorded now, nothing fetched), or another file (left alone, the post skipped)."""
    data = target.read_bytes() if target.is_file() and not target.is_symlink() else None
    md5 = hashlib.md5(data, usedforsecurity=False).hexdigest() if data is not None else None
    if md5 is not None and post.md5 == md5:
        _record(store, rel, hashlib.sha256(data).hexdigest(), md5, post, known, base_url)
        outcome.downloaded.append(_entry(post, path=rel, note="already on disk, recorded"))
    else:
        outcome.skipped.append(_entry(post, reason=f"a different file named {rel} is already there"))


def _record(store: Store, rel: str, sha: str, md5: str, post: Post, known: _Known, base_url: str) -> None:
    data = {**post.provenance(), "md5": post.md5 or md5, "base_url": base_url}
    record_sources(store, [Source(rel, sha, KIND, post.origin, data)])
    known.origins.add(post.origin)
    known.md5s[md5] = rel
    known.image_ids.add(sha)


def _picture_problem(path: Path, min_side: int | None) -> str | None:
    """Why downloaded bytes are not taken (animated GIF/PNG/WebP, not an image at all, smaller than --min-side
    where the site did not say the size), or None. Only the header is read."""
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(path) as image:
            if getattr(image, "is_animated", False) and getattr(image, "n_frames", 1) > 1:
                return f"animated {image.format or 'image'} (a trainer reads only its first frame)"
            if min_side and min(image.size) < min_side:
                return f"{image.size[0]}x{image.size[1]}: shorter side below {min_side}"
    except (UnidentifiedImageError, OSError, ValueError) as exc:
        return f"the file is not an image this program can read ({type(exc).__name__})"
    return None


def _entry(post: Post, **extra) -> dict:
    return {"post_id": post.post_id, "url": post.page_url, **extra}
