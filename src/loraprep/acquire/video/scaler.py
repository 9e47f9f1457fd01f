"""swscale conversions through one long-lived reformatter per purpose, so its scaling context is built once."""

from __future__ import annotations

import threading

_local = threading.local()


def reformat(frame, purpose: str, **options):
    """``frame.reformat(**options)`` through the calling thread's reformatter kept for ``purpose``.

    ``VideoFrame.reformat`` makes a new reformatter on every call, and with it a new swscale context: for an
    area-averaging downscale of a 1080p frame, building the filters costs about twice the scaling itself.
    One reformatter per purpose (each always asked for the same sizes and formats) keeps its cached context;
    per thread, because a context is not safe to share."""
    from av.video.reformatter import VideoReformatter

    kept = getattr(_local, "reformatters", None)
    if kept is None:
        kept = _local.reformatters = {}
    reformatter = kept.get(purpose)
    if reformatter is None:
        reformatter = kept[purpose] = VideoReformatter()
    return reformatter.reformat(frame, **options)
