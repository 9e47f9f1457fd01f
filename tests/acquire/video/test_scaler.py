"""swscale conversions through kept reformatters: the same pixels as frame.reformat, one context per purpose."""

from __future__ import annotations

import threading

import numpy as np

from loraprep.acquire.video import scaler
from tests.acquire.video.videos import scene


def _frame(seed: int, width: int, height: int):
    import av

    return av.VideoFrame.from_ndarray(scene(seed, width, height), "rgb24").reformat(format="yuv420p")


def test_kept_reformatter_gives_what_frame_reformat_gives_as_sizes_change():
    for seed, (w, h), target in [(1, (320, 180), (96, 54)), (2, (320, 180), (96, 54)), (3, (200, 120), (50, 30)),
                                 (4, (320, 180), (160, 90))]:
        frame = _frame(seed, w, h)
        options = dict(width=target[0], height=target[1], format="rgb24", interpolation="AREA")
        ours = scaler.reformat(frame, "test small", **options).to_ndarray()
        theirs = frame.reformat(**options).to_ndarray()
        assert ours.shape == (target[1], target[0], 3)
        assert np.array_equal(ours, theirs)


def test_one_reformatter_per_purpose_and_per_thread():
    frame = _frame(5, 64, 48)
    scaler.reformat(frame, "a", format="gray")
    scaler.reformat(frame, "b", format="gray")
    mine = dict(scaler._local.reformatters)
    scaler.reformat(frame, "a", format="gray")
    assert scaler._local.reformatters["a"] is mine["a"] and mine["a"] is not mine["b"]
    seen = {}

    def other():
        scaler.reformat(frame, "a", format="gray")
        seen["a"] = scaler._local.reformatters["a"]

    worker = threading.Thread(target=other)
    worker.start()
    worker.join()
    assert seen["a"] is not mine["a"]


class _Asked:
    """Stands in for a kept reformatter: records the options, or refuses ``threads`` like PyAV before 15."""

    def __init__(self, knows_threads: bool) -> None:
        self.knows_threads, self.calls = knows_threads, []

    def reformat(self, frame, **options):
        if "threads" in options and not self.knows_threads:
            raise TypeError("reformat() got an unexpected keyword argument 'threads'")
        self.calls.append(options)
        return frame


def test_conversions_run_on_one_swscale_thread_where_pyav_can_say_so():
    frame = _frame(6, 64, 48)
    for knows, expected in ((True, [1, 1]), (False, [None, None])):
        asked = _Asked(knows)
        scaler._local.reformatters = {"probe": asked}
        scaler._local.threads = True
        try:
            assert scaler.reformat(frame, "probe", format="gray") is frame
            scaler.reformat(frame, "probe", format="gray")
        finally:
            del scaler._local.reformatters, scaler._local.threads
        assert [c.get("threads") for c in asked.calls] == expected
        assert all(c["format"] == "gray" for c in asked.calls)
