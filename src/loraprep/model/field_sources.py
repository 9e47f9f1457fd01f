"""Where each caption field comes from (pure): one provider per field over one image's facts; a user's word wins.

To add a source (say detection's people count), fill its fact in ``ImageFacts`` where the facts are gathered
(ops/caption_fields.py) and read it in the field's provider here.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable, Mapping

from loraprep.model.tagname import display_name

RATINGS = {"g": "general", "s": "sensitive", "q": "questionable", "e": "explicit",
           "safe": "general", "general": "general", "sensitive": "sensitive", "questionable": "questionable",
           "explicit": "explicit"}
VIDEO_FRAME = "anime screencap"
FAN_ART = "fanart"
_FAN_ART_FOLDERS = {"fanart", "fan art", "fan_art", "fanarts", "fan-art"}


@dataclass(frozen=True)
class ImageFacts:
    """What is known of one image besides its tags."""

    journal: Mapping[str, tuple[str, bool]] = field(default_factory=dict)  # field -> (value, set by a person)
    source_kind: str = ""                   # 'booru' | 'video' | '' (a user's own file)
    source_data: Mapping = field(default_factory=dict)
    path: str = ""                          # relative to the dataset root
    tagger_characters: tuple[str, ...] = ()
    tagger_rating: str = ""
    npeople: int | None = None              # from detection (the detect stage), None when unknown
    crop_info: str = ""                     # from detection: how the crop was cut


def _booru(facts: ImageFacts, category: str) -> str:
    if facts.source_kind != "booru":
        return ""
    tags = (facts.source_data.get("tags") or {}).get(category) or []
    return ", ".join(dict.fromkeys(display_name(t) for t in tags if isinstance(t, str) and t.strip()))


def _character(facts: ImageFacts) -> str:
    return _booru(facts, "character") or ", ".join(facts.tagger_characters)


def _rating(facts: ImageFacts) -> str:
    booru = str(facts.source_data.get("rating") or "").strip().lower() if facts.source_kind == "booru" else ""
    return RATINGS.get(booru, "") or facts.tagger_rating


def _image_type(facts: ImageFacts) -> str:
    if facts.source_kind == "video":
        return VIDEO_FRAME
    if facts.source_kind == "booru":
        return FAN_ART
    folders = {part.lower() for part in facts.path.split("/")[:-1]}
    return FAN_ART if folders & _FAN_ART_FOLDERS else ""


def _npeople(facts: ImageFacts) -> str:
    if facts.npeople is None:
        return ""
    return f"{facts.npeople} {'person' if facts.npeople == 1 else 'people'}"


PROVIDERS: dict[str, Callable[[ImageFacts], str]] = {
    "npeople": _npeople,
    "character": _character,
    "copyright": lambda facts: _booru(facts, "copyright"),
    "image_type": _image_type,
    "artist": lambda facts: _booru(facts, "artist"),
    "rating": _rating,
    "crop_info": lambda facts: facts.crop_info,
}


def field_value(name: str, facts: ImageFacts) -> tuple[str, str]:
    """(value, where from): the person's value, else the journal's (the classifier), else the field's provider."""
    journal = facts.journal.get(name)
    if journal is not None and journal[1]:
        return journal[0], "user"
    if journal is not None and journal[0]:
        return journal[0], "classifier"
    value = PROVIDERS[name](facts)
    if not value:
        return "", ""
    origin = {"npeople": "detection", "crop_info": "detection", "image_type": facts.source_kind or "folder"}
    return value, origin.get(name, facts.source_kind or "tagger")


def all_fields(facts: ImageFacts) -> dict[str, tuple[str, str]]:
    return {name: field_value(name, facts) for name in PROVIDERS}
