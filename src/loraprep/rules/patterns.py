"""Tag patterns: exact names, '*' wildcards (`* hair ornament`) and 're:' regular expressions."""

from __future__ import annotations

import fnmatch
import re
from typing import Callable, Iterable

from loraprep.model.tagname import display_name


def compile_pattern(pattern: str) -> Callable[[str], bool]:
    """A predicate for one pattern; exact names compare after normalisation."""
    if pattern.startswith("re:"):
        regex = re.compile(pattern[3:])
        return lambda tag: regex.search(tag) is not None
    name = display_name(pattern)
    if "*" in name or "?" in name:
        regex = re.compile(fnmatch.translate(name))
        return lambda tag: regex.match(tag) is not None
    return lambda tag: tag == name


class PatternSet:
    """Many patterns: exact names in a set (fast path), wildcards and regexes tried in order."""

    def __init__(self, patterns: Iterable[str]):
        self.exact: set[str] = set()
        self.other: list[Callable[[str], bool]] = []
        self._memo: dict[str, bool] = {}  # wildcard answers per tag name: the same names recur on every image
        for p in patterns:
            if p.startswith("re:") or "*" in p or "?" in p:
                self.other.append(compile_pattern(p))
            else:
                self.exact.add(display_name(p))

    def __contains__(self, tag: str) -> bool:
        if tag in self.exact:
            return True
        if not self.other:
            return False
        hit = self._memo.get(tag)
        if hit is None:
            hit = self._memo[tag] = any(match(tag) for match in self.other)
        return hit

    def __bool__(self) -> bool:
        return bool(self.exact or self.other)
