"""Each candidate frame judged (similar, blurred, kept) on a worker thread while decoding goes on; verdicts applied
on the caller's thread, in order."""

from __future__ import annotations

from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from typing import Callable

from loraprep.acquire.video import bars as bar_rules
from loraprep.acquire.video import signals
from loraprep.acquire.video.convert import small_picture, to_rgb
from loraprep.acquire.video.planes import luma, reduced_luma
from loraprep.acquire.video.similar import Match, SimilarFilter
from loraprep.acquire.video.write import frame_name


@dataclass
class Verdict:
    """What the worker found: a repeat of a kept picture (``match``), too blurred (``blurred``), or a picture to
    keep with its facts and descriptor."""

    t: float
    origin: str
    match: Match | None = None
    blurred: bool = False
    picture: object = None
    name: str = ""
    facts: dict | None = None
    descriptor: object = None


def judge(frame, t: float, where: dict, origin: str, video: str, info, settings, similar: SimilarFilter | None,
          crop) -> Verdict:
    """The candidate's verdict from its pixels alone (no store, no shared state written). The similar check runs
    on a small copy first, so a repeated frame costs neither its blur score nor a full-size conversion."""
    fitted = crop if crop is not None and bar_rules.fits(crop, luma(frame), info.full_range) else None
    descriptor = None
    if similar is not None:
        from loraprep.dedup.encode import describe_image

        descriptor = describe_image(small_picture(frame, info, fitted, settings.tone_map))
        match = similar.match(descriptor)
        if match is not None:
            return Verdict(t, origin, match=match)
    blur = signals.blur_score(reduced_luma(frame, signals.BLUR_SIDE))
    if blur > settings.blur_max:
        return Verdict(t, origin, blurred=True)
    picture = to_rgb(frame, info, fitted, settings.tone_map)
    size = [picture.shape[1], picture.shape[0]]
    facts = dict(where, blur=blur, video=video, stream=info.stream_index, pts=frame.pts, timestamp=round(t, 3),
                 crop=fitted.as_list() if fitted else None, size=size)
    return Verdict(t, origin, picture=picture, name=frame_name(video, t), facts=facts, descriptor=descriptor)


class Judge:
    """At most one candidate out on the worker at a time. The caller settles it (``settle``) before anything
    that could depend on its verdict: the next candidate (it is compared with the pictures kept so far) and
    any frame the sampler might decide differently had the candidate been refused (``waits_for``). So the
    frames kept, their order and every record are those of judging each candidate on the spot, while the
    decoder goes on with the frames in between (a candidate costs a few milliseconds, several frames' worth
    of decoding at 24 fps)."""

    def __init__(self, apply: Callable[[Verdict], None]) -> None:
        self._apply = apply
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="loraprep-judge")
        self._out: Future | None = None
        self.out_at: float | None = None          # the time of the candidate being judged, None when none is

    def submit(self, *args) -> None:
        self.settle()
        self._out = self._pool.submit(judge, *args)
        self.out_at = args[1]

    def settle(self) -> None:
        """Wait for the candidate out (if any) and apply its verdict here, on the caller's thread."""
        out, self._out, self.out_at = self._out, None, None
        if out is not None:
            self._apply(out.result())

    def close(self) -> None:
        """Stop the worker; a verdict not settled is dropped (the caller settles before closing on success)."""
        self._pool.shutdown(wait=True)
