"""Trainer's-eye readers: each module reads an export folder the way one trainer's own loading code does.

Every rule is restated from reading that trainer's source (file and function cited beside it); nothing is
copied. A reader returns a View: the samples the trainer would enumerate, how one caption comes out of its
caption processing (draw), images per epoch with repeats, and the config values the trainer would refuse.
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable


class Rejected(AssertionError):
    """A config value the trainer refuses (an assert, a ValueError) or silently ignores to the user's loss."""


@dataclass(frozen=True)
class Sample:
    """One image as the trainer enumerates it, with the caption text it loaded and its settings."""

    image: Path
    caption: str | list[str]
    repeats: float
    settings: dict = field(default_factory=dict, compare=False, hash=False)


@dataclass
class View:
    """What a trainer makes of an export folder."""

    samples: list[Sample]
    draw: Callable[[Sample, random.Random], str]   # one processed caption, as it reaches the text encoder
    images_per_epoch: int
    steps_per_epoch: Callable[[int], int] | None = None  # batch size -> steps, where the trainer's is re-implemented

    def by_image(self) -> dict[Path, Sample]:
        return {s.image: s for s in self.samples}


def tags_of(text: str) -> list[str]:
    """The tags of a processed caption, for tests whose tags never hold ',' or ';'."""
    return [t.strip() for t in re.split(r"[,;]", text) if t.strip()]


def require(condition: bool, message: str) -> None:
    if not condition:
        raise Rejected(message)
