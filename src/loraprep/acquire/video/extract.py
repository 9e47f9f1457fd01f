"""One episode -> new frame files in a concept folder: sample, drop black/fade/blurred/similar frames, write, record."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from loraprep.acquire.video import bars as bar_rules
from loraprep.acquire.video import decode, signals
from loraprep.acquire.video.container import VideoInfo, open_video, refuse_hdr
from loraprep.acquire.video.convert import display_size
from loraprep.acquire.video.judge import Judge, Verdict
from loraprep.acquire.video.meter import ChangeMeter
from loraprep.acquire.video.planes import luma
from loraprep.acquire.video.record import Recorder
from loraprep.acquire.video.sampling import SceneSampler, StepSampler
from loraprep.acquire.video.similar import SimilarFilter
from loraprep.acquire.video.write import origin_of
from loraprep.acquire.video.writer import FrameWriter
from loraprep.errors import VideoError


@dataclass(frozen=True)
class FrameSettings:
    """How frames are chosen: ``every`` seconds, or None for shots (--scenes)."""

    every: float | None = None
    blur_max: float = 0.45         # recipe [frames] blur: a frame with a higher blur score is dropped
    min_side: int | None = None
    tone_map: bool = False


@dataclass
class EpisodeReport:
    video: str
    written: list[str] = field(default_factory=list)
    already: int = 0
    dropped: Counter = field(default_factory=Counter)
    similar: list[dict] = field(default_factory=list)
    decoded: int = 0
    seconds: float = 0.0
    crop: list[int] | None = None
    size: list[int] | None = None
    warnings: list[str] = field(default_factory=list)

    def as_dict(self) -> dict:
        return {"video": self.video, "written": self.written, "already_recorded": self.already,
                "dropped": dict(self.dropped), "similar": self.similar, "frames_decoded": self.decoded,
                "seconds": round(self.seconds, 3), "crop": self.crop, "size": self.size, "warnings": self.warnings}


@dataclass
class Target:
    """Where frames go: the concept folder, its path relative to the dataset, the store's recorder."""

    folder: Path
    rel: str
    recorder: Recorder
    similar: SimilarFilter | None


def extract_episode(path: Path, settings: FrameSettings, target: Target,
                    progress: Callable[[float, float], None] | None = None) -> EpisodeReport:
    """Extract one episode; VideoError (nothing written) when the file cannot be used at all. Damage part way
    (a truncated or corrupt tail) keeps the frames before it and says so in the report's warnings."""
    container, info = open_video(path)
    try:
        refuse_hdr(info, settings.tone_map)
        report = EpisodeReport(video=path.name)
        _check_size(info, settings, path.name)
        crop = _find_bars(path, container, info, report)
        writer = FrameWriter(target.folder, target.rel, target.recorder, target.similar)
        try:
            _walk(container, info, settings, target, crop, report, progress, writer)
        finally:
            writer.close()
            report.written = writer.written
        return report
    finally:
        container.close()


def _check_size(info: VideoInfo, settings: FrameSettings, name: str) -> None:
    shown = display_size(info.width, info.height, info.sample_aspect)
    if settings.min_side and min(shown) < settings.min_side:
        raise VideoError(f"{name}: its frames are {shown[0]}x{shown[1]}, under --min-side {settings.min_side}",
                         "pass a smaller --min-side, or use a higher-resolution release")


def _find_bars(path: Path, container, info: VideoInfo, report: EpisodeReport) -> bar_rules.Crop | None:
    """Bars common to frames sampled across the episode by keyframe seeks (a file that cannot seek: none).

    The samples come from a second opening of the file with a decoder on one thread: after each seek a frame
    threaded decoder returns its first picture only once it has decoded as many frames as it has threads,
    and the episode's own decoder starts from the beginning, never flushed."""
    import av

    if not info.duration or info.duration <= 0:
        return None
    stream = container.streams[info.stream_index]
    start = decode.start_of(stream)
    _rewind(container, stream, start)          # where decoding starts, as before the samples had their own opening
    finder = bar_rules.BarFinder(info.full_range)
    try:
        with av.open(str(path), mode="r", metadata_errors="replace") as probe:
            probe_stream = probe.streams[info.stream_index]
            decode.setup(probe_stream, threads=1)
            base = probe_stream.time_base
            for i in range(bar_rules.PROBES):
                at = info.duration * (i + 0.5) / bar_rules.PROBES
                probe.seek(start + int(at / base), stream=probe_stream, backward=True, any_frame=False)
                frame = next(probe.decode(probe_stream), None)
                if frame is not None:
                    finder.add(luma(frame))
    except (av.FFmpegError, OSError, ZeroDivisionError, TypeError) as exc:
        report.warnings.append(f"bars not looked for: sampling the episode failed ({exc})")
        return None
    crop = finder.crop()
    report.crop = crop.as_list() if crop else None
    return crop


def _rewind(container, stream, start: int) -> None:
    import av

    try:
        container.seek(start, stream=stream, backward=True, any_frame=False)
    except av.FFmpegError:
        pass


def _walk(container, info, settings, target, crop, report, progress, writer: FrameWriter) -> None:
    sampler = StepSampler(settings.every) if settings.every else SceneSampler()
    fades, meter = signals.FadeTracker(), ChangeMeter()
    state = decode.DecodeState(seeking=bool(settings.every))
    seeks = 0
    want = sampler.next_time if settings.every else (lambda: None)
    judge = Judge(lambda verdict: _apply(verdict, report, target, writer, sampler))
    try:
        for t, frame in decode.frames(container, info, state, want):
            if state.seeks != seeks:               # the frames before a seek are no neighbours of this one
                seeks = state.seeks
                meter.reset()
                fades.reset()
            change, brightness = meter.feed(frame)
            fades.feed_brightness(brightness, change)
            if progress and state.decoded % 48 == 0:
                progress(t, info.duration or 0.0)
            if judge.out_at is not None and sampler.waits_for(judge.out_at, t, change):
                judge.settle()
            if not sampler.feed(t, change):
                continue
            why = _refusal(meter.luma(), fades, info)
            if why is not None:
                judge.settle()                     # its verdict comes first, as the frames came
                report.dropped[why] += 1
                sampler.refused(t)
                continue
            origin = origin_of(report.video, t)
            judge.settle()
            if target.recorder.known(origin):
                report.already += 1
                continue
            index = state.decoded - 1 if not state.seeks else (round(t * info.rate) if info.rate else None)
            shot = sampler.shot.number if sampler.shot is not None else None
            judge.submit(frame, t, {"frame_index": index, "scene": shot}, origin, report.video, info, settings,
                         target.similar, crop)
        judge.settle()
    finally:
        judge.close()
    report.decoded, report.seconds = state.decoded, max(state.last_time, 0.0)
    report.warnings.extend(state.notes)
    if state.stopped:
        report.warnings.append(f"{state.stopped}; the frames before it were kept")
    elif info.duration and state.last_time >= 0 and state.last_time < info.duration - 2.0:
        report.warnings.append(f"the file ends at {state.last_time:.1f} s of {info.duration:.1f} s (truncated?); "
                               "the frames before were kept")
    if info.variable_rate:
        report.warnings.append("variable frame rate: frames are timed by their timestamps")


def _refusal(small_luma, fades, info) -> str | None:
    """The reason a candidate is dropped from its small luma plane alone (black, fade), or None."""
    if signals.is_black(small_luma, info.full_range):
        return "black"
    if fades.in_fade():
        return "fade"
    return None


def _apply(verdict: Verdict, report: EpisodeReport, target: Target, writer: FrameWriter, sampler) -> None:
    """A verdict's effects, on the caller's thread: the store's records, the report, the sampler's retry."""
    if verdict.match is not None:
        kept = writer.final(verdict.match.key)
        covered = {"video": report.video, "at": round(verdict.t, 3), "reason": "similar",
                   "distance": verdict.match.distance}
        target.recorder.cover(kept, covered)
        report.dropped["similar"] += 1
        report.similar.append({"frame": verdict.origin, "kept": kept, "distance": verdict.match.distance})
    elif verdict.blurred:
        report.dropped["blur"] += 1
        sampler.refused(verdict.t)
    else:
        writer.submit(verdict.picture, verdict.name, verdict.origin, verdict.facts, verdict.descriptor)
        report.size = verdict.facts["size"]
