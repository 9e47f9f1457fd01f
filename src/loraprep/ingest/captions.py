"""Read sidecar caption files into tag lists: any byte-order mark, UTF-16, CRLF; duplicates dropped, order kept."""

from __future__ import annotations

from dataclasses import dataclass

from loraprep.ingest.text_encoding import decode_text
from loraprep.model.tagname import display_name

MAX_CAPTION_BYTES = 1 << 20  # 1 MiB: a caption is a line of tags; anything larger is not a caption


@dataclass(frozen=True)
class Caption:
    tags: list[str]
    encoding: str          # utf-8 | utf-8-sig | utf-16 | utf-16-le | ... | the recipe's caption_encoding


def parse_caption_bytes(data: bytes, fallback: str | None = None) -> Caption:
    """Decode a caption file (``fallback``: the recipe's caption_encoding) and split it into tags.

    SourceFileError when the bytes are not text in any encoding it may assume: never a guess that writes mojibake."""
    text, encoding = decode_text(data, fallback)
    return Caption(split_tags(text), encoding)


def split_tags(text: str) -> list[str]:
    """Comma (or newline) separated tags, trimmed, normalised, empty and repeated ones dropped."""
    seen: set[str] = set()
    tags: list[str] = []
    for raw in text.replace("\r\n", "\n").replace("\r", "\n").replace("\n", ",").split(","):
        tag = display_name(raw)
        if tag and tag not in seen:
            seen.add(tag)
            tags.append(tag)
    return tags
