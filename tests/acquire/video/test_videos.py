"""The test-video generator itself: its row-wise YUV conversion matches a whole-frame one, its grain costs bits."""

from __future__ import annotations

import numpy as np
import pytest

from tests.acquire.video.videos import Shot, _to_yuv420, _Yuv420, shot_frames, write_video


@pytest.mark.parametrize("size", [(96, 64), (320, 180), (200, 120)])
def test_converting_only_changed_rows_matches_converting_each_frame(size):
    width, height = size
    converter = _Yuv420(width, height, 0)
    shots = [Shot("scene", 0.5, 3), Shot("fade_out", 0.3, 4), Shot("static", 0.2, 5), Shot("black", 0.1),
             Shot("scene", 0.4, 6)]
    for shot in shots:
        for rgb in shot_frames(shot, 24, width, height):
            ours, whole = converter.convert(rgb), _to_yuv420(rgb)
            assert ours.shape == whole.shape == (height * 3 // 2, width)
            assert np.array_equal(ours, whole)


def test_grain_raises_the_bitrate_and_keeps_the_picture(tmp_path):
    import av

    shots = [Shot("scene", 1.0, 8)]
    flat = write_video(tmp_path / "flat.mp4", shots, size=(256, 144))
    grainy = write_video(tmp_path / "grain.mp4", shots, size=(256, 144), grain=6)
    assert grainy.stat().st_size > 4 * flat.stat().st_size
    with av.open(str(flat)) as a, av.open(str(grainy)) as b:
        for fa, fb in zip(a.decode(video=0), b.decode(video=0)):
            ya, yb = fa.to_ndarray(format="gray").astype(int), fb.to_ndarray(format="gray").astype(int)
            assert abs(ya.mean() - yb.mean()) < 3 and 1.0 < (yb - ya).std() < 8
