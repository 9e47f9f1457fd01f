"""Where each key of a TOML text sits (tomllib keeps no positions), so recipe errors can name the line."""

from __future__ import annotations

import json
import re

_BARE = r"[A-Za-z0-9_-]+"
_BASIC = r'"(?:[^"\\]|\\.)*"'
_LITERAL = r"'[^']*'"
_KEY = rf"(?:{_BARE}|{_BASIC}|{_LITERAL})"
_DOTTED = rf"{_KEY}(?:\s*\.\s*{_KEY})*"
_HEADER = re.compile(rf"^\s*\[\[?\s*({_DOTTED})\s*\]\]?")
_ASSIGN = re.compile(rf"^\s*({_DOTTED})\s*=")
_PART = re.compile(_KEY)


def _parts(dotted: str) -> tuple[str, ...]:
    """``concepts."outfit armor".rules`` -> ('concepts', 'outfit armor', 'rules')."""
    parts = []
    for raw in _PART.findall(dotted):
        if raw.startswith('"'):
            try:
                raw = json.loads(raw)  # TOML basic strings escape like JSON for everything a key needs
            except ValueError:
                raw = raw[1:-1]
        elif raw.startswith("'"):
            raw = raw[1:-1]
        parts.append(raw)
    return tuple(parts)


def key_paths(text: str) -> list[tuple[int, tuple[str, ...]]]:
    """(line number, full dotted path) of every table header and every ``key =`` line, in file order.

    Lines inside multi-line strings are not told apart from real keys: positions are a best effort for
    error messages, never used to read values.
    """
    result = []
    table: tuple[str, ...] = ()
    for number, line in enumerate(text.splitlines(), 1):
        header = _HEADER.match(line)
        if header:
            table = _parts(header.group(1))
            result.append((number, table))
            continue
        assign = _ASSIGN.match(line)
        if assign:
            result.append((number, table + _parts(assign.group(1))))
    return result


def line_of(text: str, path: tuple[str, ...], needle: str | None = None,
            paths: list[tuple[int, tuple[str, ...]]] | None = None) -> int:
    """The line that best matches ``path``: the key itself, else the deepest written part of it, else 1.

    ``rules.max_tags = 3`` at the top level, ``[rules]`` + ``max_tags = 3`` and an inline table
    ``rules = { max_tags = 3 }`` all answer the line where the key is written. With ``needle`` (say a bad
    pattern inside a multi-line array) the first line from the key onwards that contains it wins.
    """
    paths = key_paths(text) if paths is None else paths
    best, best_depth = 1, 0
    for number, written in paths:
        depth = 0
        for a, b in zip(written, path):
            if a != b:
                break
            depth += 1
        # Only a written path on the way to ``path`` (or below it) says where ``path`` is.
        if depth > best_depth and depth in (len(written), len(path)):
            best, best_depth = number, depth
    if needle:
        lines = text.splitlines()
        starts = {number for number, _ in paths}
        for number in range(best, len(lines) + 1):
            if number != best and number in starts:
                break
            if needle in lines[number - 1]:
                return number
    return best
