"""Tag name spelling: underscores to spaces except kaomoji, trimmed, lower case; A1111 escaping."""

from __future__ import annotations

import functools
import re

# Tags made of punctuation faces keep their underscores: "^_^" is not "^ ^".
KAOMOJI = frozenset(
    {
        "0_0", "(o)_(o)", "+_+", "+_-", "._.", "<o>_<o>", "<|>_<|>", "=_=", ">_<", "3_3", "6_9",
        ">_o", "@_@", "^_^", "o_o", "u_u", "x_x", "|_|", "||_||",
    }
)

_SPACES = re.compile(r"\s+")


def is_kaomoji(name: str) -> bool:
    """True for tags whose underscores are part of a face, like ``^_^``."""
    return name.strip().lower() in KAOMOJI


@functools.lru_cache(maxsize=200_000)
def display_name(raw: str) -> str:
    """The spelling loraprep stores and writes: ``long_hair`` -> ``long hair``, ``^_^`` kept."""
    name = _SPACES.sub(" ", raw.strip()).lower()
    if name in KAOMOJI:
        return name
    return _SPACES.sub(" ", name.replace("_", " ")).strip()


def escape_a1111(name: str) -> str:
    """Escape parentheses for A1111-style prompts, where bare ``(`` means emphasis."""
    return re.sub(r"(?<!\\)([()])", r"\\\1", name)
