"""Small planes of decoded frames and the content change between them, for 8-bit, 10-bit and packed formats."""

from __future__ import annotations

import numpy as np
import pytest

from loraprep.acquire.video.planes import small_planes
from loraprep.acquire.video.signals import content_change
from tests.acquire.video.videos import scene


def _frame(rgb: np.ndarray, pix_fmt: str):
    import av

    return av.VideoFrame.from_ndarray(np.ascontiguousarray(rgb), "rgb24").reformat(format=pix_fmt)


@pytest.mark.parametrize("pix_fmt", ["yuv420p", "yuv444p", "yuv420p10le", "rgb24", "nv12"])
@pytest.mark.parametrize("size", [(320, 180), (100, 62)])
def test_cut_changes_a_lot_same_shot_little_and_hue_alone_is_seen(pix_fmt, size):
    width, height = size
    a, b = scene(21, width, height), scene(22, width, height)
    nudged = a.copy()
    nudged[height // 3:height // 3 + 4, width // 4:width // 4 + 4] = 255
    same, cut = small_planes(_frame(a, pix_fmt)), small_planes(_frame(nudged, pix_fmt))
    other = small_planes(_frame(b, pix_fmt))
    assert content_change(same, cut) < 3 < 20 < content_change(same, other)
    assert content_change(None, same) == 0.0
    # the same brightness in another hue: luma barely moves, chroma does
    grey = np.full((height, width, 3), 128, np.uint8)
    tinted = np.empty_like(grey)
    tinted[...] = (180, 110, 60)
    g, t = small_planes(_frame(grey, pix_fmt)), small_planes(_frame(tinted, pix_fmt))
    assert abs(float(g.luma.mean()) - float(t.luma.mean())) < 12
    assert content_change(g, t) > 15
    assert g.luma.dtype == np.uint8 and g.luma.shape[1] >= 40 and 60 <= float(g.luma.mean()) <= 200


def test_frames_of_other_sizes_are_not_compared():
    small = small_planes(_frame(scene(3, 320, 180), "yuv420p"))
    other = small_planes(_frame(scene(3, 200, 120), "yuv420p"))
    assert content_change(small, other) == 0.0
