"""Caption text as trainers need it: UTF-8 without BOM, NFC, one line with no terminator, never empty.

Decisions (see docs/formats.md):
- line breaks inside a caption are joined with the separator ", ": kohya reads only the first line and
  SimpleTuner/OneTrainer treat every line as a separate caption;
- no trailing newline: SimpleTuner turns "a\\n" into a list of captions, OneTrainer may sample an empty line;
- an empty caption falls back to the concept's trigger words; with no trigger either, the export fails
  (kohya asserts on an empty caption file, and an image trained on "" teaches nothing).
"""

from __future__ import annotations

import re
import unicodedata


_INVISIBLE = dict.fromkeys(map(ord, "\ufeff\u200b\u200e\u200f\u2060"), None)
_LINE_BREAKS = re.compile(r"[\r\n\u2028\u2029\x85\x0b\x0c]+")
_CONTROL = re.compile(r"[\x00-\x08\x0e-\x1f\x7f]")


def clean_caption(text: str) -> str:
    """NFC, no BOM or zero-width characters, no control characters, one line, single spaces, trimmed."""
    text = unicodedata.normalize("NFC", text).translate(_INVISIBLE)
    lines = [line.strip(" \t,") for line in _LINE_BREAKS.split(text)]
    text = ", ".join(line for line in lines if line)
    text = _CONTROL.sub(" ", text.replace("\t", " "))
    return re.sub(r" {2,}", " ", text).strip()


def caption_bytes(caption: str) -> bytes:
    """The file content: UTF-8 without BOM and without a line terminator."""
    return caption.encode("utf-8")


def check_caption_file(data: bytes) -> list[str]:
    """Problems a trainer would trip on in a caption file's bytes (used by tests and `export --check`)."""
    problems = []
    if data.startswith(b"\xef\xbb\xbf"):
        problems.append("starts with a UTF-8 BOM (kohya keeps it inside the first tag)")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return problems + ["is not UTF-8"]
    if not text.strip():
        problems.append("is empty")
    if "\r" in text:
        problems.append("has a CR line ending")
    if "\n" in text.rstrip("\n"):
        problems.append("has more than one line (kohya reads only the first)")
    if text != unicodedata.normalize("NFC", text):
        problems.append("is not NFC-normalised")
    return problems
