"""One booru post as every site client gives it: what the download, the filters and the provenance need."""

from __future__ import annotations

from dataclasses import dataclass, field

from loraprep.model.tagname import display_name

CATEGORIES = ("character", "copyright", "artist", "general", "meta")  # also the order tags are imported in
RATINGS = ("general", "sensitive", "questionable", "explicit")
# Animated GIF and APNG are skipped too (download.py looks at the bytes): a trainer reads their first frame only.
STILL_EXTS = frozenset({"jpg", "jpeg", "png", "webp", "gif", "avif", "bmp"})


@dataclass(frozen=True)
class Post:
    site: str
    post_id: int
    page_url: str
    file_url: str | None
    md5: str | None
    ext: str
    score: int | None
    rating: str | None                  # one of RATINGS, or None when the site gives none
    tags: dict = field(default_factory=dict)  # category -> tuple of names, as the site spells them
    width: int | None = None
    height: int | None = None
    gone: str | None = None             # "deleted", "banned", ...: why the site no longer serves it

    @property
    def origin(self) -> str:
        return f"booru:{self.site}:{self.post_id}"

    def tag_names(self) -> list[str]:
        return ordered_tag_names(self.tags)

    def provenance(self) -> dict:
        """The sources row's data (store/sources.py): never a credential, only what the site shows anyone."""
        return {"site": self.site, "post_id": self.post_id, "url": self.page_url, "file_url": self.file_url,
                "md5": self.md5, "score": self.score, "rating": self.rating,
                "tags": {c: list(self.tags.get(c, ())) for c in CATEGORIES},
                "width": self.width, "height": self.height}


def ordered_tag_names(tags: dict) -> list[str]:
    """Tags by category (a post's, or a sources row's) as loraprep spells them, each once, in import order:
    character, copyright, artist, general, meta."""
    seen: dict[str, None] = {}
    for category in CATEGORIES:
        for raw in tags.get(category) or ():
            name = display_name(raw) if isinstance(raw, str) else ""
            if name:
                seen.setdefault(name, None)
    return list(seen)


def extension(url: str | None, given: str | None = None) -> str:
    """The file's extension, lower case without the dot: the site's word first, else the URL's path."""
    if given:
        return given.lower().lstrip(".")
    if not url:
        return ""
    path = url.split("?", 1)[0].split("#", 1)[0]
    name = path.rsplit("/", 1)[-1]
    return name.rsplit(".", 1)[-1].lower() if "." in name else ""


def split_tags(text: str | None) -> tuple[str, ...]:
    """A space-separated tag string as a tuple (booru tag names never hold spaces)."""
    return tuple(t for t in (text or "").split() if t)


def as_int(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def md5_of(value) -> str | None:
    """A site's md5 when it looks like one (32 hex digits), lower case; anything else is not checked against."""
    if isinstance(value, str) and len(value) == 32 and all(c in "0123456789abcdefABCDEF" for c in value):
        return value.lower()
    return None
