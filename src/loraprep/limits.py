"""The named size limits every entry point applies: the editor's API and the CLI refuse past these, never slow down.

One place, so the web API and `loraprep edit-tags` say the same thing. Each is far above what a person does
by hand and far below what made the editor freeze (a 50-million-character tag, 50,000 tags in one edit, five
million ids in one request).
"""

from __future__ import annotations

MAX_BODY_BYTES = 8 * 1024 * 1024
"""A request body to the editor's API; counted while it arrives (413 past it)."""

MAX_TAG_LENGTH = 500
"""Characters in one tag (or a concept / tier name) an edit writes; booru tags stay under 100."""

MAX_TAGS_PER_EDIT = 1_000
"""Tags one edit adds, removes, pins or merges; a caption holds a few dozen."""

MAX_IDS_PER_REQUEST = 50_000
"""Image ids in one request. Large selections travel as filters (the page sends "select all" as the filter it
shows, never as an id list), so only a hand-made selection arrives as ids: five times the 10,000-image gallery
the editor is built for, and a request this size still answers in a fraction of a second."""


def check_edit_tags(tags, target: str = "") -> None:
    """An edit's tags and target within MAX_TAGS_PER_EDIT and MAX_TAG_LENGTH, or a LimitError saying which."""
    from loraprep.errors import LimitError

    if len(tags) > MAX_TAGS_PER_EDIT:
        raise LimitError(f"too many tags in one edit: {len(tags):,} (at most {MAX_TAGS_PER_EDIT:,})",
                         hint="split it into several edits")
    for name in (*tags, target):
        if len(name) > MAX_TAG_LENGTH:
            raise LimitError(f"tag too long: {len(name):,} characters (at most {MAX_TAG_LENGTH:,}), "
                             f"starting {name[:40]!r}", hint="a tag is a short phrase, e.g. \"red hair\"")


def check_id_count(count: int) -> None:
    """At most MAX_IDS_PER_REQUEST image ids in one request, or a LimitError."""
    from loraprep.errors import LimitError

    if count > MAX_IDS_PER_REQUEST:
        raise LimitError(f"too many image ids in one request: {count:,} (at most {MAX_IDS_PER_REQUEST:,})",
                         hint="send the filter that selects them instead of their ids")
