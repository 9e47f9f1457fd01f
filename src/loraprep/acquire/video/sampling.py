"""Which decoded frames become candidates: one per shot plus long-shot samples (--scenes), or a fixed step (--every)."""

from __future__ import annotations

import math
from dataclasses import dataclass

CUT_CHANGE = 20.0       # content change (0-255, signals.content_change) that starts a new shot
MIN_SHOT = 0.4          # seconds: a cut closer than this to the last one is motion, not a shot
SETTLE = 0.25           # seconds into a shot before its first candidate (transitions, smears settle)
LONG_SHOT = 4.0         # seconds between further candidates within one shot
RETRY_STEP = 0.25       # a refused candidate (black, fade, blur) is tried again this much later ...
MAX_RETRIES = 6         # ... at most this many times in one shot before its regular samples go on


@dataclass
class Shot:
    """The shot a frame belongs to: its number and start time."""

    number: int
    start: float


class SceneSampler:
    """Shot changes from content change, then candidate times per shot.

    PySceneDetect's ContentDetector cuts where the frame-to-frame change passes a threshold and keeps a
    minimum scene length; anime_screenshot_pipeline (anime2sd/extract_frames.py) keeps every frame that
    ffmpeg's mpdecimate does not call a near-repeat and leaves the rest to similar-image removal. Here the
    cut gives each shot one settled frame, long shots give one every LONG_SHOT seconds, and similar-frame
    removal downstream folds the repeats, so a static shot costs one picture."""

    def __init__(self, cut_change: float = CUT_CHANGE, long_shot: float = LONG_SHOT) -> None:
        self.cut_change = cut_change
        self.long_shot = long_shot
        self.shot: Shot | None = None
        self._next = 0.0
        self._retries = 0

    def feed(self, t: float, change: float) -> bool:
        """True when the frame at ``t`` (with this content change from the previous frame) is a candidate."""
        if self.shot is None or (change >= self.cut_change and t - self.shot.start >= MIN_SHOT):
            number = 0 if self.shot is None else self.shot.number + 1
            self.shot = Shot(number, t)
            self._next = t + SETTLE
            self._retries = 0
            return False
        if t + 1e-6 >= self._next:
            self._next = t + self.long_shot
            return True
        return False

    def waits_for(self, candidate: float, t: float, change: float) -> bool:
        """Whether feeding the frame at ``t`` could go otherwise had the candidate at ``candidate`` (the last
        one) been refused: a possible cut, or the time a retry would come. Until then its verdict may wait."""
        return change >= self.cut_change or t + 1e-6 >= candidate + RETRY_STEP

    def refused(self, t: float) -> None:
        """The candidate at ``t`` was dropped for its quality: try a little later in the same shot."""
        if self._retries < MAX_RETRIES:
            self._retries += 1
            self._next = t + RETRY_STEP


class StepSampler:
    """A candidate every ``step`` seconds of presentation time (timestamps, so variable frame rates work)."""

    def __init__(self, step: float) -> None:
        self.step = step
        self.shot: Shot | None = None
        self._next = 0.0

    def next_time(self) -> float:
        return self._next

    def feed(self, t: float, change: float) -> bool:
        if t + 1e-6 < self._next:
            return False
        self._next = (math.floor(t / self.step + 1e-6) + 1) * self.step
        return True

    def waits_for(self, candidate: float, t: float, change: float) -> bool:
        """A refusal changes nothing here: a verdict waits for the next candidate."""
        return False

    def refused(self, t: float) -> None:
        """A fixed step keeps its grid: the refused frame is simply dropped."""


def parse_every(text: str) -> float:
    """'0.5s', '2', '500ms', '1m' -> seconds (> 0); ValueError otherwise."""
    value = text.strip().lower()
    for suffix, scale in (("ms", 0.001), ("s", 1.0), ("m", 60.0)):
        if value.endswith(suffix):
            seconds = float(value[: -len(suffix)].strip()) * scale
            break
    else:
        seconds = float(value)
    if not math.isfinite(seconds) or seconds <= 0:
        raise ValueError(text)
    return seconds
