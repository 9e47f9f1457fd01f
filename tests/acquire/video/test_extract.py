"""`frames` on generated episodes: which frames are kept (by the shots drawn), bars, provenance, reruns."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest

pytest.importorskip("av")

from loraprep.ops.frames import frames  # noqa: E402
from loraprep.store.db import open_store  # noqa: E402
from loraprep.store.sources import sources_by_path  # noqa: E402
from tests.acquire.video.videos import Shot, shot_starts, write_video  # noqa: E402

# ground truth: which shots must give a frame (True) and which none (False)
SHOTS = [(Shot("scene", 1.5, 11), True), (Shot("static", 2.0, 12), True), (Shot("black", 0.8), False),
         (Shot("scene", 1.2, 13), True), (Shot("blur", 1.0, 15), False), (Shot("scene", 1.0, 11), False),
         (Shot("fade_out", 1.0, 16), False), (Shot("scene", 5.0, 17), True)]


@pytest.fixture(scope="module")
def episode(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("videos")
    return write_video(folder / "Show - 01 [1080p].mkv", [s for s, _ in SHOTS], size=(112, 64), bars=10)


def _shot_of(t: float) -> int:
    return _shot_of_list([s for s, _ in SHOTS], t)


def test_one_frame_per_usable_shot_and_nothing_from_the_rest(episode, tmp_path):
    report = frames([episode], tmp_path / "ds" / "screens")
    assert not report["errors"]
    ep = report["episodes"][0]
    store = open_store(tmp_path / "ds")
    try:
        rows = sources_by_path(store, kind="video")
    finally:
        store.close()
    assert sorted(rows) == sorted(ep["written"])
    shots = sorted(_shot_of(r.data["timestamp"]) for r in rows.values())
    assert shots == [i for i, (_, wanted) in enumerate(SHOTS) if wanted]
    assert ep["dropped"].get("black", 0) >= 1 and ep["dropped"].get("blur", 0) >= 1
    assert ep["dropped"].get("fade", 0) >= 1 and ep["dropped"].get("similar", 0) >= 1
    # the repeat of the first scene is recorded against the frame kept from it
    first = next(r for r in rows.values() if _shot_of(r.data["timestamp"]) == 0)
    repeat_start = shot_starts([s for s, _ in SHOTS])[5]
    assert any(c["at"] >= repeat_start for c in first.data["covers"])
    assert any(s["kept"] == first.path for s in ep["similar"])
    for r in rows.values():
        assert r.origin == f"video:{episode.name}@{r.data['timestamp']:.3f}"
        assert 0 <= r.data["blur"] <= 0.45 and r.data["frame_index"] is not None


def test_bars_are_cropped_and_files_are_whole_pngs(episode, tmp_path):
    from PIL import Image

    report = frames([episode], tmp_path / "ds" / "screens")
    ep = report["episodes"][0]
    assert ep["crop"] == [0, 10, 0, 10]
    folder = tmp_path / "ds" / "screens"
    for rel in ep["written"]:
        with Image.open(tmp_path / "ds" / rel) as img:
            assert img.format == "PNG" and img.size == (112, 64)
            assert np.asarray(img.convert("L"))[:2].max() > 30        # the top rows are picture, not bar
    assert not [p for p in folder.iterdir() if p.name.startswith(".")]
    assert all(re.fullmatch(r"Show - 01 \[1080p\]_\d\dh\d\dm\d\ds\d{3}\.png", Path(r).name) for r in ep["written"])


def test_a_rerun_writes_nothing_and_scan_takes_the_frames(episode, tmp_path):
    from loraprep.ops.scan import scan

    first = frames([episode], tmp_path / "ds" / "screens")
    before = sorted(p.name for p in (tmp_path / "ds" / "screens").iterdir())
    again = frames([episode], tmp_path / "ds" / "screens")
    assert again["written"] == 0 and again["episodes"][0]["already_recorded"] == first["written"]
    assert sorted(p.name for p in (tmp_path / "ds" / "screens").iterdir()) == before
    assert scan(tmp_path / "ds")["scan"]["new"] == first["written"]


def test_the_concepts_own_images_count_as_kept(episode, tmp_path):
    from PIL import Image

    from tests.acquire.video.videos import scene

    folder = tmp_path / "ds" / "screens"
    folder.mkdir(parents=True)
    Image.fromarray(scene(13, 112, 64)).save(folder / "mine.png")        # the fourth shot's drawing
    report = frames([episode], folder)
    ep = report["episodes"][0]
    assert any(s["kept"] == "screens/mine.png" for s in ep["similar"])
    assert 3 not in {_shot_of(_time_of_name(Path(r).name)) for r in ep["written"]}
    assert len(ep["written"]) == sum(w for _, w in SHOTS) - 1


def test_similar_off_keeps_repeats(episode, tmp_path):
    report = frames([episode], tmp_path / "ds" / "screens", similar="off")
    assert report["episodes"][0]["dropped"].get("similar", 0) == 0
    assert len(report["episodes"][0]["written"]) > sum(w for _, w in SHOTS)


def test_every_step_seeks_keyframes_and_keeps_the_grid(tmp_path):
    shots = [Shot("scene", 2.0, s) for s in range(21, 27)]
    video = write_video(tmp_path / "ep02.mp4", shots, size=(64, 48), gop=6)
    report = frames([video], tmp_path / "ds" / "c", every="4s")
    times = sorted(_time_of_name(Path(r).name) for r in report["episodes"][0]["written"])
    assert times == pytest.approx([0.0, 4.0, 8.0], abs=0.05)
    assert report["episodes"][0]["frames_decoded"] < 12 * 24 * 0.75      # seeking skipped most frames


def _time_of_name(name: str) -> float:
    h, m, s, ms = map(int, re.search(r"_(\d\d)h(\d\d)m(\d\d)s(\d{3})\.png$", name).groups())
    return h * 3600 + m * 60 + s + ms / 1000


def test_a_name_taken_by_another_file_gets_a_suffix_and_repeats_point_at_it(episode, tmp_path):
    from PIL import Image

    folder = tmp_path / "ds" / "screens"
    folder.mkdir(parents=True)
    taken = folder / f"{episode.stem}_00h00m00s250.png"
    noise = np.random.default_rng(5).integers(0, 256, (30, 40, 3), dtype=np.uint8)
    Image.fromarray(noise).save(taken)
    before = taken.read_bytes()
    report = frames([episode], folder)
    ep = report["episodes"][0]
    moved = f"screens/{episode.stem}_00h00m00s250-2.png"
    assert taken.read_bytes() == before and moved in ep["written"]
    assert any(s["kept"] == moved for s in ep["similar"])
    store = open_store(tmp_path / "ds")
    try:
        assert sources_by_path(store, kind="video")[moved].data["covers"]
    finally:
        store.close()


def test_repeats_are_found_on_the_small_copy_of_larger_frames(tmp_path):
    from PIL import Image

    from tests.acquire.video.videos import scene

    shots = [Shot("scene", 1.0, 81), Shot("scene", 1.0, 82), Shot("scene", 1.0, 81), Shot("scene", 1.0, 83)]
    video = write_video(tmp_path / "ep03.mkv", shots, size=(400, 224), bars=16)
    folder = tmp_path / "ds" / "c"
    folder.mkdir(parents=True)
    Image.fromarray(scene(83, 400, 224)).save(folder / "own.png")
    ep = frames([video], folder)["episodes"][0]
    assert ep["crop"] == [0, 16, 0, 16]
    assert sorted(_shot_of_list(shots, _time_of_name(Path(r).name)) for r in ep["written"]) == [0, 1]
    assert {s["kept"] for s in ep["similar"]} == {"c/own.png", ep["written"][0]}


def _shot_of_list(shots, t: float) -> int:
    starts = shot_starts(shots)
    return max(i for i, start in enumerate(starts) if start <= t + 1e-6)


def test_bar_samples_leave_the_episodes_decoder_untouched(tmp_path):
    """The bars are sampled through a second opening of the file: the episode's own decoder is still unopened
    afterwards (its threads can still be set, nothing was decoded and flushed) and its demuxer is at the start."""
    from loraprep.acquire.video.container import open_video
    from loraprep.acquire.video.extract import EpisodeReport, _find_bars

    shots = [Shot("scene", 1.0, 21), Shot("scene", 1.0, 22), Shot("static", 1.5, 23)]
    video = write_video(tmp_path / "pillars.mp4", shots, size=(160, 96), pillar=12, gop=12)
    container, info = open_video(video)
    try:
        report = EpisodeReport(video=video.name)
        crop = _find_bars(video, container, info, report)
        stream = container.streams[info.stream_index]
        assert crop is not None and crop.as_list() == [12, 0, 12, 0] and report.crop == [12, 0, 12, 0]
        assert not report.warnings and not stream.codec_context.is_open
        first = next(container.decode(stream))
        assert first.pts == stream.start_time or first.time == pytest.approx(0.0, abs=1e-3)
    finally:
        container.close()


def test_an_episode_that_cannot_be_sampled_for_bars_is_still_extracted(tmp_path, monkeypatch):
    """A failing second opening (here: the sample seeks) costs the bars, with a warning, not the episode."""
    import av

    shots = [Shot("scene", 1.0, 31), Shot("scene", 1.0, 32)]
    video = write_video(tmp_path / "ep.mkv", shots, size=(96, 64), bars=8)
    real_open = av.open

    class NoSeek:
        def __init__(self, container):
            self._container = container

        def __getattr__(self, name):
            return getattr(self._container, name)

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            self._container.close()

        def seek(self, *a, **k):
            raise av.FFmpegError(5, "seek refused")

    opened = []

    def opening(*a, **k):
        container = real_open(*a, **k)
        opened.append(container)
        return NoSeek(container) if len(opened) > 1 else container      # the first is the episode's own

    monkeypatch.setattr(av, "open", opening)
    report = frames([video], tmp_path / "ds" / "screens", similar="off")
    ep = report["episodes"][0]
    assert len(opened) == 2 and not report["errors"]
    assert ep["crop"] is None and any("bars not looked for" in w for w in ep["warnings"])
    assert len(ep["written"]) == 2 and ep["frames_decoded"] == 48


def test_frames_loads_numpy_without_a_blas_thread_pool(episode, tmp_path):
    """The decoder's threads keep the cores busy: a BLAS pool beside them only spun (0.1 s of CPU at numpy's
    import); the process's environment is as it was after."""
    import os
    import subprocess
    import sys

    code = ("import os, sys\nfrom loraprep.ops.frames import frames\n"
            f"report = frames([{str(episode)!r}], {str(tmp_path / 'ds' / 'screens')!r})\n"
            "from threadpoolctl import threadpool_info\n"
            "print(len(report['episodes'][0]['written']), "
            "sorted({i['num_threads'] for i in threadpool_info() if i['user_api'] == 'blas'}), "
            "os.environ.get('OPENBLAS_NUM_THREADS'))\n")
    env = {k: v for k, v in os.environ.items() if k not in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS")}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, env=env).stdout
    written, threads, variable = out.rsplit(" ", 2)[0], out.split("[")[1].split("]")[0], out.split()[-1]
    assert int(written) == 4 and threads == "1" and variable == "None"


@pytest.mark.parametrize("every", [None, "0.5s"])
def test_a_slow_judge_keeps_the_same_frames_and_records(episode, tmp_path, monkeypatch, every):
    """Candidates are judged on a worker thread while decoding goes on: however late a verdict comes, the frames
    kept, dropped and recorded are those of judging each candidate on the spot."""
    import time

    from loraprep.acquire.video import judge as judging

    def run(folder):
        report = frames([episode], folder / "screens", every=every)
        for e in report["episodes"]:
            e.pop("seconds")
        store = open_store(folder)
        try:
            rows = {p: (r.origin, r.data) for p, r in sources_by_path(store, kind="video").items()}
        finally:
            store.close()
        return {k: v for k, v in report.items() if k not in ("dataset", "next")}, rows

    quick = run(tmp_path / "quick")
    real = judging.judge

    def slow(*args):
        time.sleep(0.03)
        return real(*args)

    monkeypatch.setattr(judging, "judge", slow)
    late = run(tmp_path / "late")
    assert late == quick and quick[0]["written"] >= 3


def test_a_failure_while_judging_is_the_episodes_error(episode, tmp_path, monkeypatch):
    from loraprep.acquire.video import judge as judging

    def failing(*args):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(judging, "judge", failing)
    report = frames([episode], tmp_path / "ds" / "screens")
    assert report["episodes"] == [] and "No space left" in report["errors"][0]["error"]
