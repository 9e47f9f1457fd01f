"""A caption as tags: split loraprep's kohya-style caption once, re-join it the way each trainer splits captions.

loraprep renders one caption per image with the recipe's separator and, when asked, kohya's
keep_tokens_separator (``trigger ||| other tags``). Only sd-scripts understands that token; every other
trainer must get plain tags joined by the separator it splits on (docs/formats.md).
"""

from __future__ import annotations

from dataclasses import dataclass

from loraprep.errors import ExportError


@dataclass(frozen=True)
class CaptionTags:
    """The tags of one caption, in order; ``kept`` is how many lead tags the caption itself marked as fixed."""

    tags: tuple[str, ...]
    kept: int | None = None  # None: the caption had no keep_tokens_separator

    def joined(self, separator: str) -> str:
        """Tags joined by ``separator`` followed by one space (how OneTrainer and ai-toolkit re-join)."""
        return f"{separator.strip()} ".join(self.tags)


def split_caption(caption: str, separator: str, keep_separator: str | None = None) -> CaptionTags:
    """The tags of a caption as sd-scripts splits it (library/train_util.py BaseDataset.process_caption):
    first on the keep_tokens_separator, then each part on the caption separator, every tag stripped."""
    sep = separator.strip() or ","
    kept = None
    parts = [caption]
    if keep_separator and keep_separator in caption:
        head, tail = caption.split(keep_separator, 1)
        parts = [head, tail.replace(keep_separator, sep)]
        kept = len(_tags(head, sep))
    tags = tuple(tag for part in parts for tag in _tags(part, sep))
    return CaptionTags(tags, kept)


def _tags(text: str, sep: str) -> list[str]:
    return [t.strip() for t in text.split(sep) if t.strip()]


def require_no_separator_inside(tags: CaptionTags, separator: str, trainer: str, why: str) -> None:
    """ExportError when a tag holds the character a trainer splits on: it would reach training as two tags."""
    bad = [t for t in tags.tags if separator in t]
    if bad:
        raise ExportError(
            f"{trainer} splits captions on {separator!r}, so the tag {bad[0]!r} would be split in two ({why})",
            hint="rename the tag without that character (an alias in loraprep.toml), or turn tag shuffling off",
        )


def plain_caption(text: str, options, separator: str | None = None) -> str:
    """The caption without kohya's keep_tokens_separator, joined by ``separator`` (default: the recipe's)."""
    tags = split_caption(text, options.caption_separator, options.keep_tokens_separator)
    return tags.joined(separator or options.caption_separator)


def comma_caption(text: str, options, trainer: str, why: str) -> str:
    """For a trainer that splits on ',' whatever the recipe's separator: tags joined by ', ' (none may hold one)."""
    tags = split_caption(text, options.caption_separator, options.keep_tokens_separator)
    require_no_separator_inside(tags, ",", trainer, why)
    return tags.joined(",")
