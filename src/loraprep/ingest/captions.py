"""Read sidecar caption files into tag lists: BOM, CRLF and Latin-1 tolerated, duplicates dropped, order kept."""

from __future__ import annotations

from dataclasses import dataclass

from loraprep.model.tagname import display_name


@dataclass(frozen=True)
class Caption:
    tags: list[str]
    encoding: str          # utf-8 | utf-8-sig | latin-1
    warning: str | None    # set when the file was not valid UTF-8


def parse_caption_bytes(data: bytes) -> Caption:
    """Decode a caption file and split it into tags."""
    warning = None
    if data.startswith(b"\xef\xbb\xbf"):
        text, encoding = data[3:].decode("utf-8", errors="replace"), "utf-8-sig"
    else:
        try:
            text, encoding = data.decode("utf-8"), "utf-8"
        except UnicodeDecodeError:
            text, encoding = data.decode("latin-1"), "latin-1"
            warning = "not valid UTF-8, read as Latin-1"
    return Caption(split_tags(text), encoding, warning)


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
