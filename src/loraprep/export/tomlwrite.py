"""A small TOML writer for the configs we emit (tables, arrays of tables, scalars, flat lists); no dependency."""

from __future__ import annotations

import math
from typing import Any, Mapping

_ESCAPES = {'"': '\\"', "\\": "\\\\", "\b": "\\b", "\t": "\\t", "\n": "\\n", "\f": "\\f", "\r": "\\r"}


def toml_string(text: str) -> str:
    out = []
    for ch in text:
        if ch in _ESCAPES:
            out.append(_ESCAPES[ch])
        elif ord(ch) < 0x20 or ord(ch) == 0x7F:
            out.append(f"\\u{ord(ch):04X}")
        else:
            out.append(ch)
    return '"' + "".join(out) + '"'


def toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if not math.isfinite(value):
            raise ValueError("TOML configs here never hold inf/nan")
        text = repr(value)
        return text if any(c in text for c in ".e") else text + ".0"
    if isinstance(value, str):
        return toml_string(value)
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(toml_value(v) for v in value) + "]"
    raise TypeError(f"cannot write {type(value).__name__} as a TOML value")


def _is_table(value: Any) -> bool:
    return isinstance(value, Mapping)


def _is_table_array(value: Any) -> bool:
    return isinstance(value, (list, tuple)) and bool(value) and all(isinstance(v, Mapping) for v in value)


def toml_dumps(data: Mapping[str, Any], comments: Mapping[str, str] | None = None) -> str:
    """TOML text for ``data``; ``comments`` maps a table path ("general", "datasets.subsets") to a comment line."""
    lines: list[str] = []
    _emit(data, [], lines, comments or {}, array=False)
    return "\n".join(lines).strip("\n") + "\n"


def _emit(table: Mapping[str, Any], path: list[str], lines: list[str], comments, array: bool) -> None:
    scalars = {k: v for k, v in table.items() if v is not None and not _is_table(v) and not _is_table_array(v)}
    if path:
        if lines:
            lines.append("")
        dotted = ".".join(_key(p) for p in path)
        comment = comments.get(".".join(path))
        if comment:
            lines.append(f"# {comment}")
        lines.append(f"[[{dotted}]]" if array else f"[{dotted}]")
    for key, value in scalars.items():
        lines.append(f"{_key(key)} = {toml_value(value)}")
    for key, value in table.items():
        if _is_table(value):
            _emit(value, path + [key], lines, comments, array=False)
        elif _is_table_array(value):
            for entry in value:
                _emit(entry, path + [key], lines, comments, array=True)


def _key(key: str) -> str:
    return key if key and all(c.isascii() and (c.isalnum() or c in "_-") for c in key) else toml_string(key)
