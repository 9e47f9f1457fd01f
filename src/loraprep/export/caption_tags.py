"""A caption as tags: one image's tags and kept prefix, joined the way each trainer splits captions.

loraprep hands the exporter each image's tags in order and how many lead tags stay in place (export/kept.py).
Each format joins them for its trainer: kohya may mark the kept prefix with its keep_tokens_separator
(``trigger ||| other tags``); every other trainer gets plain tags joined by the separator it splits on
(docs/formats.md). A tag holding that separator would reach training as two tags: refused where the trainer
shuffles, unless it has a way to keep it whole (kohya's secondary_separator, export/kohya.py).
"""

from __future__ import annotations

from dataclasses import dataclass

from loraprep.errors import ExportError


@dataclass(frozen=True)
class CaptionTags:
    """The tags of one caption, in order; ``kept`` is how many lead tags the trainer must keep in place
    (when split from a caption: how many the keep_tokens_separator marked, None without one)."""

    tags: tuple[str, ...]
    kept: int | None = None

    def joined(self, separator: str) -> str:
        """Tags joined by ``separator`` followed by one space (how OneTrainer and ai-toolkit re-join)."""
        return join(self.tags, separator)


def join(tags, separator: str) -> str:
    return f"{separator.strip() or ','} ".join(tags)


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
    """ExportError naming the tag when one holds what a trainer splits on: it would reach training as two tags,
    and a keep count would pin half of it."""
    bad = [t for t in tags.tags if separator in t]
    if bad:
        raise ExportError(
            f"the tag {bad[0]!r} holds {separator!r}, which {trainer} splits captions on, so it would be "
            f"split in two ({why})",
            hint="rename the tag without that character (an alias in loraprep.toml, or in the editor), "
                 "or turn tag shuffling off (shuffle_caption = false under [export])",
        )


def plain_caption(tags: CaptionTags, options) -> str:
    """The tags joined by the recipe's separator, as they are: for a trainer that does not split them."""
    return tags.joined(options.caption_separator)


def delimited_caption(tags: CaptionTags, options, shuffles: bool, delimiter: str, trainer: str, why: str) -> str:
    """For a trainer that splits on ``delimiter`` when it shuffles: tags joined by it, none may hold it then.
    Without shuffling the caption reaches the text encoder as written, so a tag may hold anything."""
    if not shuffles:
        return plain_caption(tags, options)
    require_no_separator_inside(tags, delimiter.strip() or ",", trainer, why)
    return tags.joined(delimiter)
