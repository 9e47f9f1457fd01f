"""Selection-expression terms and operators, each compiled once into a closure over an image view."""

from __future__ import annotations

import operator
import re
from dataclasses import dataclass, field
from typing import Any, Callable

from loraprep.model.tagname import display_name

Test = Callable[[Any], bool]  # an ImageView, or anything with the same attributes
COMPARE = {">": operator.gt, ">=": operator.ge, "<": operator.lt, "<=": operator.le, "=": operator.eq}
_BARE_SAFE = re.compile(r"[a-z0-9][a-z0-9_'.\-]*")
# Words that mean something bare; a tag spelled like one is written quoted so str() parses back to itself.
_RESERVED = {"and", "or", "not", "untagged", "small", "tags", "npeople"}


@dataclass(frozen=True)
class Node:
    """One term or operator: ``text`` its canonical spelling, ``test`` its compiled closure."""

    text: str
    test: Test = field(repr=False, compare=False)
    tags: frozenset[str] = frozenset()
    prec: int = 3  # 1 OR, 2 AND, 3 NOT or a term: decides where the text needs parentheses
    parts: tuple[Test, ...] = field(default=(), repr=False, compare=False)  # operands of a flattened AND / OR


EVERYTHING = Node("", lambda v: True)


def tag_name(raw: str) -> str:
    """A tag as the store spells it; a pasted A1111 caption escapes parentheses (`star \\(symbol\\)`)."""
    return display_name(raw.replace("\\(", "(").replace("\\)", ")"))


def quote(value: str) -> str:
    """A value bare when it reads back the same, else double-quoted with backslash escapes."""
    if _BARE_SAFE.fullmatch(value) and value not in _RESERVED:
        return value
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _number(value: float) -> str:
    return str(int(value)) if value == int(value) else repr(value)


def has_tag(tag: str) -> Node:
    return Node(quote(tag), lambda v: tag in v.tags, frozenset({tag}))


def score(tag: str, op: str, limit: float) -> Node:
    """A stored score compared with a limit; a tag the tagger never scored counts as 0."""
    cmp = COMPARE[op]
    return Node(f"score({quote(tag)}) {op} {_number(limit)}",
                lambda v: cmp(v.scores.get(tag, 0.0), limit), frozenset({tag}))


def tag_count(op: str, n: int) -> Node:
    cmp = COMPARE[op]
    return Node(f"tags{op}{n}", lambda v: cmp(len(v.tags), n))


def people_count(op: str, n: int) -> Node:
    """npeople>N: person boxes a detector found (images no person detector saw never match)."""
    cmp = COMPARE[op]
    return Node(f"npeople{op}{n}", lambda v: v.npeople is not None and cmp(v.npeople, n))


def untagged() -> Node:
    return Node("untagged", lambda v: not v.tags)


def small() -> Node:
    return Node("small", lambda v: v.small)


def status(value: str) -> Node:
    return Node(f"status:{value}", lambda v: v.status == value)


def pinned(tag: str) -> Node:
    return Node(f"pinned:{quote(tag)}", lambda v: tag in v.pinned, frozenset({tag}))


def name_contains(text: str) -> Node:
    folded = text.casefold()
    return Node(f"name:{quote(folded)}", lambda v: folded in v.name.casefold())


def field_is(kind: str, value: str) -> Node:
    """concept:NAME / tier:NAME: folder names, compared without case but otherwise exactly."""
    folded, attr = value.casefold(), operator.attrgetter(kind)
    return Node(f"{kind}:{quote(folded)}", lambda v: attr(v).casefold() == folded)


def negate(a: Node) -> Node:
    fa = a.test
    return Node(f"NOT {_wrap(a, 3)}", lambda v: not fa(v), a.tags)


def combine(word: str, a: Node, b: Node) -> Node:
    """``a AND b`` / ``a OR b``; chains flatten into one loop so 900 implicit ANDs do not nest 900 deep."""
    prec = 2 if word == "AND" else 1
    parts = tuple(t for x in (a, b) for t in (x.parts if x.prec == prec and x.parts else (x.test,)))
    if len(parts) == 2:
        fa, fb = parts
        test = (lambda v: fa(v) and fb(v)) if word == "AND" else (lambda v: fa(v) or fb(v))
    elif word == "AND":
        def test(v):
            for part in parts:
                if not part(v):
                    return False
            return True
    else:
        def test(v):
            for part in parts:
                if part(v):
                    return True
            return False
    return Node(f"{_wrap(a, prec)} {word} {_wrap(b, prec)}", test, a.tags | b.tags, prec, parts)


def _wrap(node: Node, prec: int) -> str:
    return node.text if node.prec >= prec else f"({node.text})"
