"""A small YAML writer for block mappings and lists of scalars; strings are always double-quoted (no PyYAML)."""

from __future__ import annotations

import json
import math
from typing import Any, Mapping


def yaml_string(text: str) -> str:
    # JSON's escapes are valid in YAML double-quoted scalars; escape what YAML would fold or reject as well.
    out = []
    for ch in json.dumps(text, ensure_ascii=False)[1:-1]:
        code = ord(ch)
        if code == 0x7F or 0x80 <= code <= 0x9F or code in (0x2028, 0x2029, 0xFEFF) or 0xD800 <= code <= 0xDFFF:
            out.append(f"\\u{code:04x}")
        else:
            out.append(ch)
    return '"' + "".join(out) + '"'


def yaml_scalar(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if not math.isfinite(value):
            raise ValueError("no inf/nan in these configs")
        return repr(value)
    if isinstance(value, str):
        return yaml_string(value)
    if isinstance(value, (list, tuple)) and all(not isinstance(v, (Mapping, list, tuple)) for v in value):
        return "[" + ", ".join(yaml_scalar(v) for v in value) + "]"
    raise TypeError(f"cannot write {type(value).__name__} as a YAML scalar")


def yaml_dumps(data: Mapping[str, Any], indent: int = 0) -> str:
    """Block-style YAML for nested mappings and lists of mappings; flow style for lists of scalars."""
    return "".join(_mapping(data, indent))


def _key(key: str) -> str:
    return key if key.replace("_", "").isalnum() and key.isascii() else yaml_string(key)


def _mapping(data: Mapping[str, Any], indent: int) -> list[str]:
    pad = " " * indent
    lines = []
    for key, value in data.items():
        if isinstance(value, Mapping):
            lines.append(f"{pad}{_key(key)}:\n")
            lines.extend(_mapping(value, indent + 2))
        elif isinstance(value, (list, tuple)) and value and all(isinstance(v, Mapping) for v in value):
            lines.append(f"{pad}{_key(key)}:\n")
            for entry in value:
                body = _mapping(entry, indent + 4)
                body[0] = f"{pad}  - {body[0].lstrip()}"
                lines.extend(body)
        else:
            lines.append(f"{pad}{_key(key)}: {yaml_scalar(value)}\n")
    return lines
