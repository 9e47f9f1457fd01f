"""swscale conversions through one long-lived reformatter per purpose, so its scaling context is built once."""

from __future__ import annotations

import threading

_local = threading.local()
# swscale's own slice threads (PyAV's default: as many as cores) cost more CPU than they save here: the decoder's
# threads keep the cores busy already, and one 1080p conversion took 1.4 ms of CPU on two threads, 0.9 on one.
ONE_THREAD = 1


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
    if getattr(_local, "threads", True):
        try:
            return reformatter.reformat(frame, threads=ONE_THREAD, **options)
        except TypeError:                      # PyAV before 15 has no threads option (and scales on one)
            _local.threads = False
    return reformatter.reformat(frame, **options)
