"""File names (and any text from disk) made safe to print: control, bidi and invisible characters escaped."""

from __future__ import annotations

import unicodedata

_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}
_HIDDEN = frozenset({"Cc", "Cf", "Cs", "Zl", "Zp"})


def printable(text: str) -> str:
    """``text`` with every character a terminal would act on or hide written as an escape.

    A folder named ``bad\\nname`` prints as ``bad\\nname`` on one line, not as two lines that look like two
    messages; a right-to-left override (U+202E) prints as ``\\u202e`` instead of reversing the rest of the line;
    a byte that was not UTF-8 (a lone surrogate from os.fsdecode) prints as ``\\xe9``. Everything else, accents
    and CJK included, is kept as is.
    """
    if text.isascii() and text.isprintable():
        return text
    return "".join(_escape(c) if unicodedata.category(c) in _HIDDEN else c for c in text)


def _escape(char: str) -> str:
    if char in _NAMED:
        return _NAMED[char]
    code = ord(char)
    if 0xDC80 <= code <= 0xDCFF:  # surrogateescape: the original byte
        return f"\\x{code - 0xDC00:02x}"
    if code <= 0xFF:
        return f"\\x{code:02x}"
    return f"\\u{code:04x}" if code <= 0xFFFF else f"\\U{code:08x}"
