"""The selection-expression parser: recursive descent straight over the text, so every error names its column."""

from __future__ import annotations

import re
from typing import Callable

from loraprep.errors import UsageError
from loraprep.model.tagname import KAOMOJI
from loraprep.where import terms as T
from loraprep.where.terms import Node

HINT = ('filters look like: concept:armor AND "red hair" AND NOT hat  |  score("blurry")>0.6  |  '
        "untagged OR tags<5  |  -solo (name:001 OR status:failed)")
STATUSES = ("active", "excluded", "failed")
KEYWORDS = {"and": "AND", "&&": "AND", "or": "OR", "||": "OR", "not": "NOT"}
_COMPARATOR = re.compile(r"\s*(>=|<=|>|<|=)")
_SHORTHAND = re.compile(r"(.+?)(>=|<=|>|<)([-+]?[0-9.].*)")  # blurry>0.6 written as one word
_PREFIX = re.compile(r"(concept|tier|status|name|pinned|source):", re.IGNORECASE)
_GLUED = re.compile(r"(and|or|not)\(", re.IGNORECASE)
_SCORE = re.compile(r"score\(", re.IGNORECASE)
_KAOMOJI = sorted(KAOMOJI, key=len, reverse=True)  # longest first: "||_||" before anything shorter
_FACE_STARTS = frozenset(face[0] for face in KAOMOJI)


def parse(text: str) -> Node:
    """The compiled tree of ``text``; raises UsageError naming the column and what was expected."""
    return _Parser(text).parse()


class _Parser:
    """One pass over one expression; ``i`` is the cursor."""

    def __init__(self, text: str):
        self.s = text
        self.i = 0

    def fail(self, at: int, expected: str):
        raise UsageError(f"bad filter at column {at + 1}: {expected}", hint=HINT)

    def skip(self) -> None:
        while self.i < len(self.s) and self.s[self.i].isspace():
            self.i += 1

    def kaomoji(self, at: int) -> str | None:
        if at >= len(self.s) or self.s[at] not in _FACE_STARTS:
            return None
        for face in _KAOMOJI:
            end = at + len(face)
            if self.s.startswith(face, at) and (end == len(self.s) or self.s[end].isspace() or self.s[end] == ")"):
                return face
        return None

    def word_end(self, at: int) -> int:
        """End of a bare word: whitespace, an unbalanced ')', '&&' or '||'; 'star_(symbol)' stays whole."""
        depth, i, s = 0, at, self.s
        while i < len(s) and not s[i].isspace():
            c = s[i]
            if c == "(" and i > at:
                depth += 1
            elif c == ")":
                if depth == 0:
                    break
                depth -= 1
            elif s.startswith(("&&", "||"), i) and i > at:
                break
            i += 1
        return i

    def operator(self) -> tuple[str, int, int] | None:
        """The operator at the cursor as (AND|OR|NOT, start, end), or None; looks without consuming."""
        self.skip()
        s, i = self.s, self.i
        if i >= len(s) or self.kaomoji(i):
            return None
        if s.startswith(("&&", "||"), i):
            return KEYWORDS[s[i:i + 2]], i, i + 2
        if s[i] in "!-":
            return "NOT", i, i + 1
        end = self.word_end(i)
        word = KEYWORDS.get(s[i:end].lower())
        if word:
            return word, i, end
        glued = _GLUED.match(s, i)  # NOT(hat OR cap)
        return (KEYWORDS[glued.group(1).lower()], i, glued.end(1)) if glued else None

    def describe(self, at: int) -> str:
        if at >= len(self.s):
            return "found the end"
        return f"found '{self.s[at:self.word_end(at)] or self.s[at]}'"

    # grammar: or := and (OR and)* ; and := unary (AND? unary)* ; unary := NOT unary | '(' or ')' | term
    def parse(self) -> Node:
        self.skip()
        if self.i >= len(self.s):
            return T.EVERYTHING
        node = self.parse_or()
        self.skip()
        if self.i < len(self.s):
            if self.s[self.i] == ")":
                self.fail(self.i, "this ')' closes no '('")
            self.fail(self.i, f"expected AND, OR or the end, {self.describe(self.i)}")
        return node

    def parse_or(self) -> Node:
        node = self.parse_and()
        while (op := self.operator()) and op[0] == "OR":
            self.i = op[2]
            node = T.combine("OR", node, self.operand(op, self.parse_and))
        return node

    def parse_and(self) -> Node:
        node = self.parse_unary()
        while True:
            op = self.operator()
            if op and op[0] == "OR":
                return node
            if op and op[0] == "AND":
                self.i = op[2]
                node = T.combine("AND", node, self.operand(op, self.parse_unary))
            elif self.i < len(self.s) and self.s[self.i] != ")":
                node = T.combine("AND", node, self.parse_unary())  # adjacent terms: implicit AND
            else:
                return node

    def operand(self, op: tuple[str, int, int], parse: Callable[[], Node]) -> Node:
        self.skip()
        after = self.operator()
        if self.i >= len(self.s) or self.s[self.i] == ")" or (after and after[0] != "NOT"):
            self.fail(self.i, f"expected a term after '{self.s[op[1]:op[2]]}', {self.describe(self.i)}")
        return parse()

    def parse_unary(self) -> Node:
        op = self.operator()
        if op and op[0] == "NOT":
            self.i = op[2]
            return T.negate(self.operand(op, self.parse_unary))
        if op:
            self.fail(op[1], f"expected a term before '{self.s[op[1]:op[2]]}'")
        if self.i >= len(self.s):
            self.fail(self.i, "expected a term, found the end")
        if self.s[self.i] == "(" and not self.kaomoji(self.i):
            start = self.i
            self.i += 1
            self.skip()
            if self.i < len(self.s) and self.s[self.i] == ")":
                self.fail(self.i, "expected a term inside '()'")
            node = self.parse_or()
            self.skip()
            if self.i >= len(self.s) or self.s[self.i] != ")":
                self.fail(start, "this '(' is never closed: expected ')'")
            self.i += 1
            return node
        return self.term()

    # ---- terms ------------------------------------------------------------------------------------------------
    def value(self, what: str) -> tuple[str, int]:
        """A bare or quoted value at the cursor, with where it started."""
        start = self.i
        if start < len(self.s) and self.s[start] in "\"'":
            return self.quoted(), start
        end = self.word_end(start)
        if end == start:
            self.fail(start, f"expected a value after '{what}'")
        self.i = end
        return self.s[start:end], start

    def quoted(self) -> str:
        s, start = self.s, self.i
        quote, out, i = s[start], [], start + 1
        while i < len(s):
            c = s[i]
            if c == "\\" and i + 1 < len(s) and s[i + 1] in (quote, "\\"):
                out.append(s[i + 1])
                i += 2
                continue
            if c == quote:
                self.i = i + 1
                return "".join(out)
            out.append(c)
            i += 1
        self.fail(start, f"this quote is never closed: expected a closing {quote}")

    def number(self, after: str, whole: bool) -> float:
        self.skip()
        start, s = self.i, self.s
        end = start
        while end < len(s) and not s[end].isspace() and s[end] not in "()&|\"'":
            end += 1
        raw, kind = s[start:end], "a whole number" if whole else "a number"
        try:
            value = int(raw) if whole else float(raw)
        except ValueError:
            self.fail(start, f"expected {kind} after '{after}', {self.describe(start) if raw else 'found nothing'}")
        if not whole and value != value:  # NaN compares false with everything: a silent empty selection
            self.fail(start, f"expected {kind} after '{after}', found '{raw}'")
        self.i = end
        return value

    def comparison(self, after: str, allow_equal: bool) -> str | None:
        m = _COMPARATOR.match(self.s, self.i)
        if not m:
            return None
        if m.group(1) == "=" and not allow_equal:
            self.fail(m.start(1), "scores compare with <, <=, > or >=, not '='")
        self.i = m.end()
        return m.group(1)

    def term(self) -> Node:
        s, start = self.s, self.i
        face = self.kaomoji(start)
        if face:
            self.i = start + len(face)
            return T.has_tag(face)
        if s[start] in "\"'":
            tag = T.tag_name(self.quoted())
            return self.maybe_score(tag, f'"{tag}"') or T.has_tag(tag)
        if _SCORE.match(s, start):
            return self.score_term()
        prefix = _PREFIX.match(s, start)
        if prefix:
            return self.prefixed(prefix.group(1).lower(), prefix.group(0))
        end = self.word_end(start)
        word = s[start:end]
        lower = word.lower()
        if lower == "tags" or (lower.startswith("tags") and lower[4:5] in ("<", ">", "=")):
            self.i = start + 4
            op = self.comparison("tags", allow_equal=True)
            if op:
                return T.tag_count(op, int(self.number("tags" + op, whole=True)))
        if lower.startswith("npeople") and lower[7:8] in ("<", ">", "="):
            self.i = start + 7
            op = self.comparison("npeople", allow_equal=True)
            if op:
                return T.people_count(op, int(self.number("npeople" + op, whole=True)))
        if lower == "untagged":
            self.i = end
            return T.untagged()
        if lower == "small":
            self.i = end
            return T.small()
        short = _SHORTHAND.fullmatch(word)
        if short and short.group(2) != "=":
            self.i = start + short.end(2)
            limit = self.number(word[:short.end(2)], whole=False)
            return T.score(T.tag_name(short.group(1)), short.group(2), limit)
        self.i = end
        tag = T.tag_name(word)
        return self.maybe_score(tag, word) or T.has_tag(tag)

    def maybe_score(self, tag: str, shown: str) -> Node | None:
        """`blurry > 0.6`: a tag followed by a comparison and a number is a score test."""
        m = _COMPARATOR.match(self.s, self.i)
        if not m or m.group(1) == "=":
            return None
        rest = self.s[m.end():].lstrip()
        if not rest[:1].isdigit() and not (rest[:1] == "." and rest[1:2].isdigit()):
            return None  # `hat >_<` is two tags, not a comparison
        self.i = m.end()
        return T.score(tag, m.group(1), self.number(f"{shown} {m.group(1)}", whole=False))

    def score_term(self) -> Node:
        open_at = self.i + len("score")
        self.i = open_at + 1
        self.skip()
        if self.i < len(self.s) and self.s[self.i] in "\"'":
            raw = self.quoted()
        else:
            end, depth = self.i, 0
            while end < len(self.s) and (self.s[end] != ")" or depth):  # score(star_(symbol)) keeps its parens
                depth += {"(": 1, ")": -1}.get(self.s[end], 0)
                end += 1
            raw = self.s[self.i:end].strip()
            self.i = end
        self.skip()
        if self.i >= len(self.s) or self.s[self.i] != ")":
            self.fail(open_at, "this 'score(' is never closed: expected ')'")
        if not raw.strip():
            self.fail(open_at + 1, "expected a tag inside score(), like score(\"blurry\")")
        self.i += 1
        tag = T.tag_name(raw)
        shown = f"score({T.quote(tag)})"
        op = self.comparison(shown, allow_equal=False)
        if not op:
            self.fail(self.i, f"expected a comparison after {shown}, like {shown}>0.6")
        return T.score(tag, op, self.number(shown + op, whole=False))

    def prefixed(self, kind: str, prefix: str) -> Node:
        self.i += len(prefix)
        raw, at = self.value(prefix)
        if kind == "source":
            self.fail(at - len(prefix), "source: filters are not supported yet; try pinned:TAG or a plain tag")
        if kind == "status":
            status = raw.lower()
            if status not in STATUSES:
                self.fail(at, f"expected active, excluded or failed after 'status:', found '{raw}'")
            return T.status(status)
        if kind == "pinned":
            return T.pinned(T.tag_name(raw))
        if kind == "name":
            return T.name_contains(raw)
        return T.field_is(kind, raw)
