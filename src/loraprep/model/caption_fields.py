"""The caption fields of guide 002 (who and what is in a picture, besides its tags), and their default order."""

from __future__ import annotations

FIELDS = ("npeople", "character", "copyright", "image_type", "artist", "rating", "crop_info", "tags")
# Fields a person (or the classifier) may set per image; `tags` has its own journal, and npeople/crop_info come
# from detection but may be corrected like any other.
SETTABLE = tuple(f for f in FIELDS if f != "tags")
MAX_VALUE = 200


def check_field(field: str) -> str:
    """The field name, or ValueError naming the settable ones."""
    if field not in SETTABLE:
        raise ValueError(f"no caption field {field!r}; one of: {', '.join(SETTABLE)}")
    return field


def clean_value(value: str) -> str:
    """A field value as stored: one line, trimmed, commas kept (a character list is 'a, b')."""
    text = " ".join(str(value).split())
    if len(text) > MAX_VALUE:
        raise ValueError(f"a field value is at most {MAX_VALUE} characters")
    return text
