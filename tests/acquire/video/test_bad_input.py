"""`frames` on files that are not plain 8-bit SDR progressive video: a clear per-file error or a handled case."""

from __future__ import annotations

import sys
from fractions import Fraction
from pathlib import Path

import numpy as np
import pytest

av = pytest.importorskip("av")

from loraprep.ops.frames import frames  # noqa: E402
from tests.acquire.video.videos import Shot, scene, write_video  # noqa: E402

TWO = [Shot("scene", 1.0, 31), Shot("scene", 1.0, 32)]


def _written(report: dict) -> list[str]:
    return [w for e in report["episodes"] for w in e["written"]]


def test_unreadable_files_are_reported_and_the_next_episode_goes_on(tmp_path):
    text = tmp_path / "notes.mkv"
    text.write_text("not a video at all\n" * 50)
    empty = tmp_path / "empty.mp4"
    empty.write_bytes(b"")
    audio = tmp_path / "audio.mka"
    with av.open(str(audio), "w") as c:
        s = c.add_stream("pcm_s16le", rate=8000)
        frame = av.AudioFrame.from_ndarray(np.zeros((1, 800), np.int16), format="s16", layout="mono")
        frame.sample_rate = 8000
        for p in s.encode(frame):
            c.mux(p)
    good = write_video(tmp_path / "good.mkv", TWO, size=(64, 48))
    report = frames([text, empty, audio, tmp_path / "missing.mkv", good], tmp_path / "ds" / "c")
    errors = {Path(e["video"]).name: e["error"] for e in report["errors"]}
    assert set(errors) == {"notes.mkv", "empty.mp4", "audio.mka", "missing.mkv"}
    assert "not a video" in errors["notes.mkv"] and "empty" in errors["empty.mp4"]
    assert "no video stream" in errors["audio.mka"] and "audio" in errors["audio.mka"]
    assert len(_written(report)) == 2


def test_a_truncated_file_keeps_the_frames_before_the_damage(tmp_path):
    video = write_video(tmp_path / "cut.mkv", [Shot("scene", 1.0, s) for s in range(41, 45)], size=(64, 48))
    data = video.read_bytes()
    video.write_bytes(data[: len(data) * 6 // 10] + bytes(range(256)) * 8)      # cut, then garbage
    report = frames([video], tmp_path / "ds" / "c")
    assert not report["errors"]
    ep = report["episodes"][0]
    assert 1 <= len(ep["written"]) < 4
    folder = tmp_path / "ds" / "c"
    assert not [p for p in folder.iterdir() if p.name.startswith(".")]


def test_ten_bit_video_comes_out_in_the_right_colours(tmp_path):
    from PIL import Image

    video = write_video(tmp_path / "hi10p.mkv", [Shot("static", 1.0, 51)], size=(64, 48), pix_fmt="yuv420p10le",
                        options={"crf": "4"})
    report = frames([video], tmp_path / "ds" / "c")
    (rel,) = _written(report)
    with Image.open(tmp_path / "ds" / rel) as img:
        got = np.asarray(img.convert("RGB"), np.float32)
    want = scene(51, 64, 48).astype(np.float32)
    assert np.abs(got - want).mean() < 6


def test_non_square_pixels_are_stretched_to_the_display_aspect(tmp_path):
    video = write_video(tmp_path / "anamorphic.mkv", TWO, size=(64, 48), sar=Fraction(3, 2))
    report = frames([video], tmp_path / "ds" / "c")
    assert report["episodes"][0]["size"] == [96, 48]


def test_hdr_is_refused_unless_tone_mapped(tmp_path):
    hdr = {"color_trc": 16, "color_primaries": 9, "colorspace": 9}
    video = write_video(tmp_path / "hdr.mkv", TWO, size=(64, 48), pix_fmt="yuv420p10le", colour=hdr)
    refused = frames([video], tmp_path / "ds" / "c")
    assert "HDR" in refused["errors"][0]["error"] and "--tone-map" in refused["errors"][0]["error"]
    mapped = frames([video], tmp_path / "ds" / "c", tone_map=True)
    assert not mapped["errors"] and len(_written(mapped)) == 2


def test_interlaced_video_is_deinterlaced(tmp_path):
    from PIL import Image

    video = write_video(tmp_path / "tff.mkv", TWO, size=(64, 48), options={"x264-params": "interlaced=1:tff=1"})
    report = frames([video], tmp_path / "ds" / "c")
    assert len(_written(report)) == 2
    with Image.open(tmp_path / "ds" / _written(report)[0]) as img:
        assert img.size == (64, 48)


def test_pillarbox_bars_are_cropped(tmp_path):
    video = write_video(tmp_path / "pillar.mp4", TWO, size=(48, 48), pillar=8)
    report = frames([video], tmp_path / "ds" / "c")
    ep = report["episodes"][0]
    assert ep["crop"] == [8, 0, 8, 0] and ep["size"] == [48, 48]


def test_min_side_refuses_small_episodes_with_a_hint(tmp_path):
    video = write_video(tmp_path / "small.mkv", TWO, size=(64, 48))
    report = frames([video], tmp_path / "ds" / "c", min_side=100)
    assert "--min-side" in report["errors"][0]["error"] and not report["episodes"]


def test_cover_art_and_attachments_are_not_the_episode(tmp_path):
    video = write_video(tmp_path / "extras.mkv", TWO, size=(64, 48), extras=True)
    report = frames([video], tmp_path / "ds" / "c")
    assert not report["errors"] and report["episodes"][0]["size"] == [64, 48]
    assert len(_written(report)) == 2


def test_variable_frame_rate_frames_are_timed_by_their_timestamps(tmp_path):
    # 24 frames of the first shot over 2 s, then 48 frames of the second over 1 s: frame counts would say 1 s
    times = [i / 12 for i in range(24)] + [2.0 + i / 48 for i in range(48)]
    video = write_video(tmp_path / "vfr.mkv", [Shot("scene", 1.0, 71), Shot("scene", 2.0, 72)], size=(64, 48),
                        timestamps=times)
    report = frames([video], tmp_path / "ds" / "c")
    written = sorted(_written(report))
    assert [w.rsplit("_", 1)[1] for w in written] == ["00h00m00s250.png", "00h00m02s250.png"]


def test_without_pyav_the_command_says_how_to_install_it(tmp_path, monkeypatch):
    from loraprep.errors import VideoError

    monkeypatch.setitem(sys.modules, "av", None)
    with pytest.raises(VideoError) as caught:
        frames([tmp_path / "ep.mkv"], tmp_path / "ds" / "c")
    assert "loraprep[video]" in caught.value.hint and not (tmp_path / "ds").exists()
