"""The decode loop: threaded decoding, presentation times, keyframe seeks on request, damage reported not raised."""

from __future__ import annotations

from dataclasses import dataclass, field

from loraprep.acquire.video.container import VideoInfo

SEEK_GAP = 2.0          # seconds: a wanted frame further ahead than this is reached by a keyframe seek


@dataclass
class DecodeState:
    """What the loop saw: frames decoded, the last time, seeks done, and why decoding stopped early (if it did)."""

    decoded: int = 0
    last_time: float = -1.0
    seeks: int = 0
    seeking: bool = True
    stopped: str | None = None
    notes: list[str] = field(default_factory=list)


def start_of(stream) -> int:
    return int(stream.start_time) if stream.start_time is not None else 0


def setup(stream, threads: int = 0) -> None:
    """Frame and slice threads (FFmpeg picks the count, or ``threads``), as ffmpeg itself decodes."""
    ctx = stream.codec_context
    if ctx.is_open:                 # set before the first decode; later it is fixed
        return
    try:
        ctx.thread_type = "AUTO"
        ctx.thread_count = threads
    except (AttributeError, ValueError, TypeError, RuntimeError):
        pass


def frames(container, info: VideoInfo, state: DecodeState, want):
    """Yield (seconds, frame) in presentation order. ``want()`` returns the next time the caller needs (or None);
    when that is over SEEK_GAP ahead the loop seeks to the keyframe before it. A seek that lands at or before
    the frames already seen (keyframes further apart than the gap) turns seeking off for the rest of the file."""
    import av

    stream = container.streams[info.stream_index]
    setup(stream)
    start = start_of(stream)
    base = stream.time_base
    rate = info.rate or 25.0
    after_seek = False
    while True:
        iterator = container.decode(stream)
        sought = False
        while True:
            try:
                frame = next(iterator)
            except StopIteration:
                return
            except av.FFmpegError as exc:
                state.stopped = f"decoding stopped at {max(state.last_time, 0):.3f} s: {_reason(exc)}"
                return
            if frame.pts is not None and base is not None:
                # float(Fraction) without the Fraction: one correctly rounded int division, the same float
                t = (frame.pts - start) * base.numerator / base.denominator
            else:
                t = state.decoded / rate
            if after_seek:
                after_seek = False
                if t <= state.last_time + 1e-6:
                    state.seeking = False
                    state.notes.append("keyframes are far apart: decoding every frame instead of seeking")
            if t <= state.last_time + 1e-9 and state.decoded:
                continue
            state.decoded += 1
            state.last_time = t
            yield t, frame
            target = want()
            if state.seeking and target is not None and target - t > SEEK_GAP and base:
                try:
                    container.seek(start + int(target / base), stream=stream, backward=True, any_frame=False)
                except av.FFmpegError:
                    state.seeking = False
                    continue
                state.seeks += 1
                after_seek = sought = True
                break
        if not sought:
            return


def _reason(exc) -> str:
    text = getattr(exc, "strerror", None) or str(exc) or type(exc).__name__
    return text.strip()
