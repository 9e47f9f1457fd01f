"""Each exported image's tags and kept prefix: from the rules' verdict when the item carries it, else its caption.

The kept prefix is per image (a user may remove a fixed tag from one image), but every trainer pins lead tags
per subset, so the pipeline groups images by it (export/pipeline.py). A count is never larger than the tags.
"""

from __future__ import annotations

from loraprep.errors import ExportError
from loraprep.export.base import ExportItem, ExportOptions
from loraprep.export.caption_tags import CaptionTags, split_caption
from loraprep.export.captions import clean_caption

# sd-scripts documents ';;;' for secondary_separator; the others are tried, in order, when a caption holds it.
SECONDARY_CANDIDATES = (";;;", "^^^", "~~~", "@@@", "%%%", "$$$")


def item_tags(item: ExportItem, options: ExportOptions) -> tuple[CaptionTags, bool]:
    """(tags with the number to keep in place, whether they fell back to the trigger words). The number may
    exceed the tags (a user's keep_tokens on a short caption): such an image pins all of its tags."""
    if item.tags is not None:
        cleaned = [clean_caption(t) for t in item.tags]
        lead = len(cleaned) if item.keep is None else min(max(item.keep, 0), len(cleaned))
        tags = tuple(t for t in cleaned if t)
        kept = sum(1 for t in cleaned[:lead] if t) if item.keep is not None else _keep_from_options(tags, item, options)
    else:
        parsed = split_caption(clean_caption(item.caption), options.caption_separator,
                               options.keep_separator_for(item.concept))
        tags = parsed.tags
        kept = parsed.kept if parsed.kept is not None else _keep_from_options(tags, item, options)
    if tags:
        return CaptionTags(tags, kept), False
    fallback = tuple(t for t in (clean_caption(w) for w in options.triggers_for(item.concept)) if t)
    if fallback:
        return CaptionTags(fallback, _keep_from_options(fallback, item, options)), True
    raise ExportError(
        f"{item.source}: the caption is empty and there is no trigger word to fall back on",
        hint="tag the image (`loraprep tag`), set `trigger` in loraprep.toml, or exclude the image",
    )


def _keep_from_options(tags: tuple[str, ...], item: ExportItem, options: ExportOptions) -> int:
    """A caption without its own count: the user's number, or (auto) the concept's fixed tags that lead it,
    so an image whose fixed tag was removed pins one tag less instead of its next tag."""
    if not options.keep_is_auto(item.concept):
        return options.keep_tokens_for(item.concept)
    fixed = set(options.triggers_for(item.concept))
    lead = 0
    while lead < len(tags) and tags[lead] in fixed:
        lead += 1
    return lead


def secondary_separator(all_tags, caption_separator: str, keep_separators) -> str:
    """kohya's secondary_separator for this export: a token no tag holds, sharing no character with the
    caption separator or a keep_tokens_separator (so splitting on those never cuts it)."""
    taken = set(caption_separator.strip()) | {c for s in keep_separators if s for c in s}
    for candidate in SECONDARY_CANDIDATES:
        if set(candidate) & taken:
            continue
        if not any(candidate in t or candidate[0] in t for tags in all_tags for t in tags.tags):
            return candidate
    raise ExportError("no secondary_separator is free: the captions hold every candidate "
                      f"({', '.join(SECONDARY_CANDIDATES)})", hint="rename the tags that hold a comma")
