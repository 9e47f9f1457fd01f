"""The per-frame meter gives exactly the figures of planes.small_planes + signals.content_change, every format."""

from __future__ import annotations

import numpy as np
import pytest

from loraprep.acquire.video.meter import ChangeMeter
from loraprep.acquire.video.planes import small_planes
from loraprep.acquire.video.signals import content_change
from tests.acquire.video.videos import _sprite_moved, scene


def _frames(pix_fmt: str, width: int, height: int, seeds=(4, 4, 4, 9, 9, 2)):
    import av

    for i, seed in enumerate(seeds):
        rgb = _sprite_moved(scene(seed, width, height), i, seed)
        yield av.VideoFrame.from_ndarray(np.ascontiguousarray(rgb), "rgb24").reformat(format=pix_fmt)


def _reference(frames):
    previous, out = None, []
    for frame in frames:
        small = small_planes(frame)
        out.append((content_change(previous, small), float(small.luma.mean()), small.luma.copy()))
        previous = small
    return out


@pytest.mark.parametrize("pix_fmt", ["yuv420p", "yuvj420p", "yuv422p", "yuv444p", "yuv420p10le", "nv12", "rgb24"])
@pytest.mark.parametrize("size", [(1920, 1080), (333, 187), (64, 36)])
def test_same_figures_as_the_small_planes_to_the_last_bit(pix_fmt, size):
    frames = list(_frames(pix_fmt, *size))
    meter = ChangeMeter()
    for frame, (change, brightness, luma) in zip(frames, _reference(frames)):
        reading = meter.feed(frame)
        assert reading.change == change and reading.brightness == brightness
        assert meter.luma().dtype == np.uint8 and np.array_equal(meter.luma(), luma)
    assert max(_reference(frames), key=lambda r: r[0])[0] > 20          # the cuts are there to be measured


def test_no_neighbour_after_a_reset_or_a_new_size():
    meter = ChangeMeter()
    first, second = _frames("yuv420p", 160, 90, seeds=(1, 2))
    assert meter.feed(first).change == 0.0
    assert meter.feed(second).change > 20
    meter.reset()
    assert meter.feed(first).change == 0.0
    other, again = _frames("yuv420p", 200, 120, seeds=(2, 7))
    assert meter.feed(other).change == 0.0
    assert meter.feed(again).change > 20                   # frames of the new size are compared from then on


def test_planes_padded_another_way_from_frame_to_frame():
    """Line sizes are read with every frame: a decoder's buffers may be padded differently after a flush."""
    import av

    width, height = 320, 180
    frames = []
    for i, (seed, line) in enumerate([(3, 320), (3, 400), (8, 352), (8, 512), (1, 320)]):
        yuv = _frames("yuv420p", width, height, seeds=(seed,))
        planes = next(yuv).to_ndarray()                       # (height * 3 / 2, width): Y, then U and V rows
        padded = np.zeros((planes.shape[0], line), np.uint8)
        padded[:height, :width] = planes[:height]
        chroma = planes[height:].reshape(-1, width // 2)      # U rows then V rows, half as wide
        padded[height:].reshape(-1, line // 2)[:, :width // 2] = chroma
        frame = av.VideoFrame.from_numpy_buffer(padded, "yuv420p", width=width)
        assert frame.planes[0].line_size == line
        frames.append(frame)
    meter = ChangeMeter()
    readings = [tuple(meter.feed(frame)) for frame in frames]
    assert readings == [(change, brightness) for change, brightness, _ in _reference(frames)]
    assert readings[2][0] > 20 and readings[1][0] == 0.0
