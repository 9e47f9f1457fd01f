"""Recipe values that load but would write garbage: separators, trigger words and alias patterns (pure checks).

Each check answers a message (the loader adds file and line) or None. What they guard against:
- a separator the caption writer cannot keep as written (export/captions.py joins lines with ", ", turns tabs
  and control characters into spaces, collapses double spaces, drops zero-width characters), or one with no
  visible character (`""` glues tags together);
- a trigger word the trainer would split (kohya splits captions on the separator, so `trigger = "a, b"` is two
  tokens while keep_tokens counts one), or an empty one;
- an alias / consolidation pattern that matches every tag (or the empty string): every caption would become
  its target, without a word.
"""

from __future__ import annotations

import unicodedata

from loraprep.model.tagname import display_name
from loraprep.rules.patterns import compile_pattern

# Share of PROBE_TAGS an alias pattern may match before the loader warns (all of them is refused).
WARN_SHARE = 0.5

# Everyday tagger output of every kind (people count, hair, eyes, clothes, scenery, meta, kaomoji, series and
# character names, digits and punctuation): a pattern matching most of these matches most real captions.
PROBE_TAGS = (
    "1girl", "1boy", "2girls", "solo", "multiple girls", "long hair", "short hair", "red hair", "blonde hair",
    "blue eyes", "green eyes", "smile", "open mouth", "closed eyes", "blush", "looking at viewer", "bangs",
    "ponytail", "twintails", "braid", "hat", "glasses", "animal ears", "cat ears", "tail", "wings", "horns",
    "shirt", "white shirt", "skirt", "dress", "jacket", "school uniform", "armor", "cape", "gloves", "boots",
    "thighhighs", "jewelry", "earrings", "bare shoulders", "collarbone", "nail polish", "holding", "standing",
    "sitting", "upper body", "full body", "from side", "outdoors", "indoors", "sky", "cloud", "day", "night",
    "tree", "flower", "water", "window", "chair", "book", "food", "weapon", "sword", "simple background",
    "white background", "depth of field", "sunlight", "monochrome", "greyscale", "comic", "4koma",
    "english text", "signature", "watermark", "blurry", "^_^", ">_<", "v", "star (symbol)", "hatsune miku",
    "fate/grand order", "k-on!", "heart", "fang", "tongue", "mask", "cowboy shot", "absurdres",
)

_UNWRITABLE = {"Cc": "a control character", "Cf": "an invisible formatting character",
               "Zl": "a line separator", "Zp": "a paragraph separator"}


def unwritable(text: str) -> str | None:
    """What in ``text`` a caption file cannot keep as written (the export's cleaning would change it)."""
    for char in text:
        kind = _UNWRITABLE.get(unicodedata.category(char))
        if kind:
            kind = "a tab" if char == "\t" else "a line break" if char in "\n\r\x0b\x0c\x85" else kind
            return f"{kind} ({_codepoint(char)})"
    if "  " in text:
        return "two spaces in a row (captions keep single spaces)"
    if unicodedata.normalize("NFC", text) != text:
        return "characters that are not NFC-normalised (captions are written NFC)"
    return None


def separator_problem(value: str) -> str | None:
    """Why ``value`` cannot separate tags, or None: visible punctuation with optional single spaces."""
    if not value.strip(" "):
        return "'separator' needs a visible character, e.g. \", \" (an empty or blank one glues tags together)"
    bad = unwritable(value)
    if bad:
        return f"'separator' {value!r} has {bad}; the exported caption would not match the one shown"
    if not value.strip():
        return "'separator' needs a visible character, e.g. \", \""
    word = next((c for c in value if c.isalnum()), None)
    if word:
        return f"'separator' {value!r} has a letter or digit ({word!r}): trainers would split tags that hold it"
    return None


def word_problem(value: str, key: str) -> str | None:
    """Why ``value`` cannot be one trigger / fixed word, or None."""
    if not value.strip():
        return f"'{key}' has an empty word; leave the key out (or write {key} = []) for none"
    bad = unwritable(value.strip())
    if bad:
        return f"'{key}' {value!r} has {bad}"
    return None


def word_splits(word: str, separator: str, keep_separator: str | None) -> str | None:
    """Why a trainer would read ``word`` as more than one token with this separator, or None."""
    mark = separator.strip()
    if mark and mark in word:
        return (f"{word!r} holds the separator {mark!r}: a trainer splits it into several tags while keep_tokens "
                f"counts it as one; write the words as a list, e.g. [\"a\", \"b\"]")
    if keep_separator and keep_separator.strip() and keep_separator.strip() in word:
        return f"{word!r} holds the keep_tokens_separator {keep_separator!r}"
    return None


def pattern_problem(pattern: str) -> tuple[str, str] | None:
    """('error' | 'warning', why) for an alias / consolidation pattern that matches too much, or None."""
    if not pattern.startswith("re:") and not display_name(pattern):
        return "error", "an empty tag as a pattern"
    matches = compile_pattern(pattern)
    if matches(""):
        return "error", f"pattern {pattern!r} matches the empty string, so every tag: every caption would become one tag"
    share = sum(map(matches, PROBE_TAGS)) / len(PROBE_TAGS)
    if share == 1:
        return "error", f"pattern {pattern!r} matches every tag: every caption would become one tag"
    if share >= WARN_SHARE:
        examples = ", ".join([t for t in PROBE_TAGS if matches(t)][:4])
        return "warning", (f"pattern {pattern!r} matches {share:.0%} of common tags (e.g. {examples}): most "
                           f"captions would lose those tags to its target")
    return None


def _codepoint(char: str) -> str:
    return f"U+{ord(char):04X}" + (f" {unicodedata.name(char)}" if unicodedata.name(char, "") else "")
