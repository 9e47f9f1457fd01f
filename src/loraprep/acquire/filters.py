"""Which posts a download takes: pure decisions from what the site says of a post, each skip with its reason."""

from __future__ import annotations

from dataclasses import dataclass

from loraprep.acquire.post import RATINGS, STILL_EXTS, Post
from loraprep.errors import UsageError
from loraprep.model.tagname import display_name

# How the sites' own words for a rating map onto the four kept (a three-level site's "safe" is "general").
RATING_WORDS = {"g": "general", "general": "general", "safe": "general", "s": "sensitive",
                "sensitive": "sensitive", "q": "questionable", "questionable": "questionable", "e": "explicit",
                "explicit": "explicit"}


@dataclass(frozen=True)
class Filters:
    ratings: frozenset | None = None   # None: every rating (and posts without one)
    min_score: int | None = None
    min_side: int | None = None
    exclude: frozenset = frozenset()   # tag names as loraprep spells them


def parse_filters(rating: str | None, min_score: int | None, min_side: int | None,
                  exclude_tags: str | None) -> Filters:
    ratings = None
    if rating and rating.strip():
        words = [w.strip().lower() for w in rating.replace(" ", ",").split(",") if w.strip()]
        unknown = [w for w in words if w not in RATING_WORDS]
        if unknown:
            raise UsageError(f"unknown rating {unknown[0]!r}", hint=f"--rating takes {', '.join(RATINGS)}")
        ratings = frozenset(RATING_WORDS[w] for w in words)
    exclude = frozenset(n for n in (display_name(t) for t in (exclude_tags or "").replace(",", " ").split()) if n)
    return Filters(ratings, min_score, min_side, exclude)


def skip_reason(post: Post, filters: Filters) -> str | None:
    """Why a post is not downloaded, or None to take it."""
    if post.gone:
        return f"{post.gone} on the site"
    if not post.file_url:
        return "no file URL (the site hides the file from this account, or removed it)"
    if post.ext not in STILL_EXTS:
        kind = {"zip": "ugoira animation", "mp4": "video", "webm": "video", "swf": "flash"}.get(post.ext, "file")
        return f"not a still image ({kind}, .{post.ext or '?'})"
    if filters.ratings is not None and post.rating not in filters.ratings:
        return f"rating {post.rating or 'unknown'} not asked for"
    if filters.min_score is not None and (post.score is None or post.score < filters.min_score):
        return f"score {post.score if post.score is not None else 'unknown'} below {filters.min_score}"
    if filters.min_side and post.width and post.height and min(post.width, post.height) < filters.min_side:
        return f"{post.width}x{post.height}: shorter side below {filters.min_side}"
    if filters.exclude:
        hit = next((n for n in post.tag_names() if n in filters.exclude), None)
        if hit:
            return f"has the excluded tag {hit!r}"
    return None


def search_terms(tags: str) -> list[str]:
    return [t for t in (tags or "").split() if t]
