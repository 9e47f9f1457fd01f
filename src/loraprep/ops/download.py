"""download(): a booru search into a concept folder, new files only, with provenance; `scan` imports the rest."""

from __future__ import annotations

from pathlib import Path
from typing import Callable

from loraprep.acquire.credentials import credentials_for
from loraprep.acquire.download import download_posts
from loraprep.acquire.filters import parse_filters, search_terms
from loraprep.acquire.http import HttpClient
from loraprep.acquire.sites import resolve
from loraprep.errors import DatasetError, UsageError
from loraprep.store.db import STATE_DIR, open_store
from loraprep.store.runs import end_run, start_run


def download(target: str | Path, *, site: str, tags: str, base_url: str | None = None, limit: int | None = None,
             rating: str | None = None, min_score: int | None = None, min_side: int | None = None,
             exclude_tags: str | None = None, delay: float | None = None,
             progress: Callable[[int, int], None] | None = None, http: HttpClient | None = None) -> dict:
    """Download the posts a search finds into ``target`` (DATASET/CONCEPT, or DATASET for its root concept).

    Posts recorded by an earlier run, files whose md5 or bytes are already there, and posts the filters turn
    away are skipped, each with its reason; ``limit`` counts new files. ``http`` (tests) replaces the client."""
    chosen = resolve(site, base_url)
    terms = search_terms(tags)
    if not terms:
        raise UsageError("--tags is empty", hint='for example --tags "kafka_(honkai:_star_rail) solo"')
    if limit is not None and limit < 1:
        raise UsageError("--limit must be at least 1")
    filters = parse_filters(rating, min_score, min_side, exclude_tags)
    root, folder = _place(Path(target))
    credentials = credentials_for(chosen.name, root)
    folder.mkdir(parents=True, exist_ok=True)
    if chosen.tag_limit and len(terms) > chosen.tag_limit and (chosen.software == "moebooru" or not credentials):
        who = "a search" if chosen.software == "moebooru" else "an anonymous search"
        raise UsageError(f"{chosen.name} allows {chosen.tag_limit} tags in {who}; --tags has {len(terms)}",
                         hint="move ratings, scores and exclusions to --rating, --min-score and --exclude-tags"
                              + ("" if chosen.software == "moebooru" else
                                 f", or give an account (LORAPREP_{chosen.name.upper()}_USER / _API_KEY)"))
    if http is None:
        http = HttpClient(delay=chosen.delay if delay is None else delay)
    http.secrets = tuple(v for v in credentials.values() if v)
    store = open_store(root, create=True)
    try:
        settings = {"site": chosen.name, "base_url": chosen.base_url, "tags": " ".join(terms), "limit": limit,
                    "rating": sorted(filters.ratings) if filters.ratings else None, "min_score": min_score,
                    "min_side": min_side, "exclude_tags": sorted(filters.exclude), "account": bool(credentials)}
        run_id = start_run(store, "download", settings)
        outcome, state = None, "interrupted"
        try:
            outcome = download_posts(store, folder, chosen, " ".join(terms), filters, limit, credentials, http,
                                     progress)
            state = "ok"
        except Exception:
            state = "error"  # Ctrl-C (KeyboardInterrupt) stays "interrupted"; what was written is recorded
            raise
        finally:
            counts = _counts(outcome) if outcome else {}
            errors = [(e["url"], http.scrub(e["error"])) for e in outcome.errors] if outcome else []
            end_run(store, run_id, state, counts, errors)
        return {"dataset": str(root), "folder": folder.relative_to(root).as_posix() or ".", **settings,
                "counts": counts, "downloaded": outcome.downloaded,
                "skipped": [{**s, "reason": http.scrub(s["reason"])} for s in outcome.skipped],
                "errors": [{**e, "error": http.scrub(e["error"])} for e in outcome.errors],
                "stopped": http.scrub(outcome.stopped) if outcome.stopped else None,
                "next": f"loraprep scan {root}"}
    finally:
        store.close()


def _counts(outcome) -> dict:
    return {"downloaded": len(outcome.downloaded), "skipped": len(outcome.skipped), "errors": len(outcome.errors),
            "already_downloaded": outcome.known, "pages": outcome.pages}


def _place(target: Path) -> tuple[Path, Path]:
    """(dataset root, concept folder) of DATASET/CONCEPT: the nearest folder up that holds a loraprep state or
    recipe is the root; without one, the parent of the concept folder is (both are created when missing: the
    guides' first step is the download)."""
    target = target.expanduser().resolve()
    if target.exists() and not target.is_dir():
        raise DatasetError(f"not a folder: {target}", hint="pass DATASET/CONCEPT, the folder the images go in")
    for folder in (target, *target.parents):
        if (folder / STATE_DIR).is_dir() or (folder / "loraprep.toml").is_file():
            if folder == target:
                return folder, folder
            return folder, target
    return target.parent, target
