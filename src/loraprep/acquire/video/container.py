"""Open a video file with PyAV and describe its picture stream; refuse what cannot become faithful stills."""

from __future__ import annotations

import os
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

from loraprep.errors import VideoError

INSTALL_HINT = "install the video extra: pip install 'loraprep[video]' (PyAV, FFmpeg's libraries in a wheel)"

# ITU-T H.273 transfer characteristics that carry high dynamic range: SMPTE ST 2084 (PQ) and ARIB STD-B67 (HLG)
_HDR_TRC = {16: "PQ (SMPTE ST 2084)", 18: "HLG (ARIB STD-B67)"}
# H.273 matrix coefficients -> the name swscale's reformat knows; unspecified falls back by height (below)
_STILL_CODECS = {"mjpeg", "png", "bmp", "gif", "webp", "tiff", "jpegls"}
_MATRIX = {1: "itu709", 4: "fcc", 5: "itu601", 6: "smpte170m", 7: "smpte240m", 9: "bt2020", 10: "bt2020"}


def import_av():
    """The PyAV module, or a VideoError saying how to install it."""
    try:
        import av
    except ImportError:
        raise VideoError("reading video needs PyAV, which is not installed", INSTALL_HINT) from None
    return av


@dataclass(frozen=True)
class VideoInfo:
    """What the extraction needs to know about the picture stream of one file."""

    path: str
    stream_index: int
    codec: str
    width: int
    height: int
    pixel_format: str
    bit_depth: int
    sample_aspect: Fraction          # 1 for square pixels
    matrix: str                      # the colour matrix the YUV -> RGB conversion uses
    full_range: bool                 # JPEG (0-255) rather than MPEG (16-235) range
    duration: float | None           # seconds, when the container says
    rate: float | None               # nominal frames per second
    variable_rate: bool              # timestamps, not frame counts, give every frame's time
    transfer: str | None             # the HDR transfer, when the stream is HDR
    interlaced: bool                 # the stream says its fields are interleaved (frames are deinterlaced)


def open_video(path: str | os.PathLike):
    """(container, VideoInfo) of a file; VideoError with a one-line reason for every file that is not a readable
    video. The caller closes the container."""
    av = import_av()
    where = Path(path)
    if not where.is_file():
        raise VideoError(f"{where.name}: not a regular file" if where.exists() else f"{where.name}: no such file")
    if where.stat().st_size == 0:
        raise VideoError(f"{where.name}: empty file (0 bytes)")
    try:
        container = av.open(str(where), mode="r", metadata_errors="replace")
    except av.FFmpegError as exc:
        raise VideoError(f"{where.name}: not a video FFmpeg can read ({_why(exc)})") from None
    try:
        return container, describe(container, where)
    except BaseException:
        container.close()
        raise


def describe(container, where: Path) -> VideoInfo:
    """VideoInfo of the container's main picture stream (an attached cover picture is no episode)."""
    streams = [s for s in container.streams.video if not _attached_picture(s)]
    if not streams:
        others = sorted({s.type for s in container.streams})
        has = f" (it has {', '.join(others)} streams)" if others else ""
        raise VideoError(f"{where.name}: no video stream{has}")
    stream = _main_stream(container, streams)
    ctx = stream.codec_context
    if not ctx.width or not ctx.height:
        raise VideoError(f"{where.name}: the video stream has no picture size (a damaged header?)")
    fmt = ctx.format
    depth = max((c.bits for c in fmt.components), default=8) if fmt is not None else 8
    trc = int(ctx.color_trc or 2)
    rate = stream.average_rate or stream.guessed_rate or stream.base_rate
    duration = None
    if stream.duration and stream.time_base:
        duration = float(stream.duration * stream.time_base)
    elif container.duration:
        duration = container.duration / 1_000_000
    return VideoInfo(
        path=str(where), stream_index=stream.index, codec=ctx.name, width=ctx.width, height=ctx.height,
        pixel_format=fmt.name if fmt is not None else "?", bit_depth=depth,
        sample_aspect=_aspect(stream), matrix=_matrix(int(ctx.colorspace or 2), ctx.height),
        full_range=int(ctx.color_range or 0) == 2 or (fmt is not None and fmt.name.startswith("yuvj")),
        duration=duration, rate=float(rate) if rate else None, variable_rate=_variable(stream),
        transfer=_HDR_TRC.get(trc), interlaced=int(getattr(ctx, "field_order", 0) or 0) > 1)


def refuse_hdr(info: VideoInfo, tone_map: bool) -> None:
    """HDR pictures squeezed into 8-bit SDR without a tone map come out washed out: refuse unless asked."""
    if info.transfer and not tone_map:
        raise VideoError(f"{Path(info.path).name}: HDR video ({info.transfer}); its frames would come out washed out",
                         "pass --tone-map to map it to SDR (a simple global curve), or use an SDR release")


def _main_stream(container, streams):
    """FFmpeg's own choice (av_find_best_stream: the default, most decoded frames in the probe), unless that is
    a still-image codec such as a cover art stream Matroska stores as plain video."""
    try:
        best = container.streams.best("video")
    except (AttributeError, ValueError):
        best = None
    moving = [s for s in streams if s.codec_context.name not in _STILL_CODECS]
    if best is not None and best in moving:
        return best
    return (moving or streams)[0]


def _attached_picture(stream) -> bool:
    try:
        import av

        return bool(stream.disposition & av.stream.Disposition.attached_pic)
    except (AttributeError, ImportError, TypeError):
        return False


def _aspect(stream) -> Fraction:
    sar = stream.sample_aspect_ratio or stream.codec_context.sample_aspect_ratio
    if not sar or sar.numerator <= 0 or sar.denominator <= 0:
        return Fraction(1)
    value = Fraction(sar.numerator, sar.denominator)
    return value if Fraction(1, 4) <= value <= 4 else Fraction(1)       # a nonsense ratio is a damaged header


def _matrix(code: int, height: int) -> str:
    # An untagged stream: HD is BT.709 and SD BT.601 (ITU-R BT.709 vs BT.601 by resolution, as players assume)
    return _MATRIX.get(code) or ("itu709" if height >= 720 else "itu601")


def _variable(stream) -> bool:
    avg, base = stream.average_rate, stream.base_rate
    return bool(avg and base and abs(float(avg) - float(base)) > 0.01 * float(base))


def _why(exc) -> str:
    text = getattr(exc, "strerror", None) or str(exc) or type(exc).__name__
    return text.split(":")[-1].strip() or text
