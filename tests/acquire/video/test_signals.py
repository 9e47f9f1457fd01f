"""Per-frame signals and sampling: blur score, black frames, fades, bars, the --every grammar."""

from __future__ import annotations

import numpy as np
import pytest

from loraprep.acquire.video.bars import BarFinder
from loraprep.acquire.video.sampling import SceneSampler, StepSampler, parse_every
from loraprep.acquire.video.signals import FadeTracker, blur_score, is_black
from tests.acquire.video.videos import _blurred, scene


@pytest.mark.parametrize("size", [(96, 64), (400, 240), (1280, 720)])
def test_blur_score_separates_sharp_from_motion_blurred(size):
    for seed in (1, 2):
        sharp = scene(seed, *size).mean(axis=2)
        smeared = _blurred(scene(seed, *size), max(6, size[0] // 40)).mean(axis=2)
        assert blur_score(sharp.astype(np.uint8)) < 0.3 < 0.45 < blur_score(smeared.astype(np.uint8))


def test_black_and_fade():
    dark = np.full((20, 30), 17.0)
    assert is_black(dark, full_range=False) and not is_black(dark + 60, full_range=False)
    fades, picture = FadeTracker(), scene(3, 30, 20).mean(axis=2)
    for level in (1.0, 0.9, 0.8, 0.7, 0.6):
        fades.feed(picture * level, 2.0)
    assert fades.in_fade()
    fades.reset()
    for _ in range(5):
        fades.feed(picture, 0.5)
    assert not fades.in_fade()


def test_bars_need_every_frame_dark_there():
    finder = BarFinder(full_range=True)
    frame = np.zeros((40, 60))
    frame[6:34, :] = 120
    finder.add(frame)
    assert finder.crop().as_list() == [0, 6, 0, 6]
    taller = np.zeros((40, 60))
    taller[3:37, :] = 120
    finder.add(taller)
    assert finder.crop().as_list() == [0, 3, 0, 3]


def test_scene_sampler_one_settled_frame_per_shot_and_long_shot_samples():
    sampler, picked = SceneSampler(long_shot=2.0), []
    for i in range(24 * 6):
        t = i / 24
        change = 50.0 if i in (48, 72) else 1.0        # cuts at 2 s and 3 s
        if sampler.feed(t, change):
            picked.append(round(t, 2))
    assert picked == [0.25, 2.25, 3.25, 5.25]


def test_every_grammar_and_grid():
    assert [parse_every(x) for x in ("0.5s", "2", "500ms", "1m")] == [0.5, 2.0, 0.5, 60.0]
    for bad in ("soon", "0", "-1s", "nan"):
        with pytest.raises(ValueError):
            parse_every(bad)
    step = StepSampler(1.0)
    assert [t for t in (0.0, 0.4, 1.02, 1.5, 3.3) if step.feed(t, 0.0)] == [0.0, 1.02, 3.3]


def _crete_reference(y: np.ndarray, window: int = 9) -> float:
    """Crete et al.'s blur effect written out plainly in floats: means, both axes, the worse one counts."""
    y = y.astype(np.float64)
    scores = []
    for axis in (0, 1):
        pad = [(0, 0), (0, 0)]
        pad[axis] = (window // 2, window // 2)
        padded = np.pad(y, pad, mode="edge")
        blurred = sum(np.take(padded, range(k, k + y.shape[axis]), axis=axis) for k in range(window)) / window
        d_sharp = np.abs(np.diff(y, axis=axis))
        d_blur = np.abs(np.diff(blurred, axis=axis))
        total = d_sharp.sum()
        if total > 0:
            scores.append((total - np.maximum(0, d_sharp - d_blur).sum()) / total)
    return max(scores, default=0.0)


@pytest.mark.parametrize("shape", [(20, 24), (144, 256), (360, 640), (361, 97)])
def test_blur_score_is_crete_measure_on_8_bit_and_float_planes(shape):
    rng = np.random.default_rng(shape[0] * 1000 + shape[1])
    drawn = scene(shape[0] + shape[1], shape[1], shape[0]).mean(axis=2)
    noisy = rng.integers(0, 256, shape)
    smeared = _blurred(scene(7, shape[1], shape[0]), 5).mean(axis=2)
    for plane in (drawn, noisy, smeared, np.zeros(shape), np.full(shape, 200.0)):
        for dtype in (np.uint8, np.float32):
            values = plane.astype(dtype)
            assert blur_score(values) == pytest.approx(_crete_reference(values.astype(np.float64)), abs=2e-4)


@pytest.mark.parametrize("size", [1, 2, 5, 101, 5184, (270, 480), (1080, 1920)])
def test_bright_level_is_the_99th_percentile_of_the_converted_samples(size):
    from loraprep.acquire.video.signals import bright_level, full_range_luma

    rng = np.random.default_rng(size if isinstance(size, int) else size[0])
    for top in (3, 30, 256):
        values = rng.integers(0, top, size).astype(np.uint8)
        for full_range in (True, False):
            expected = float(np.percentile(full_range_luma(values, full_range), 99))
            assert bright_level(values, full_range) == pytest.approx(expected, abs=1e-4)
            assert bright_level(values.astype(np.float32), full_range) == pytest.approx(expected, abs=1e-4)


@pytest.mark.parametrize("full_range", [True, False])
def test_bars_of_8_bit_planes_found_as_on_converted_ones(full_range):
    black = 0 if full_range else 16
    plane = np.full((1080, 1920), black, np.uint8)
    plane[140:940, 40:1880] = scene(5, 1840, 800).mean(axis=2).astype(np.uint8) // 2 + 100
    plane[500, 3] = black + 10                      # a speck in the pillar, under the bar level
    finder = BarFinder(full_range)
    finder.add(plane)
    finder.add(np.full((1080, 1920), black + 2, np.uint8))      # a black frame says nothing
    assert finder.crop().as_list() == [40, 140, 40, 140]


@pytest.mark.parametrize("shape", [(1080, 1920), (300, 400), (64, 48), (7,)])
def test_histogram_counts_every_value_of_large_small_and_cut_planes(shape):
    from loraprep.acquire.video.signals import histogram

    rng = np.random.default_rng(sum(shape))
    for top in (2, 40, 256):
        values = rng.integers(0, top, shape).astype(np.uint8)
        parts = [values] if values.ndim == 1 else [values, values[:, 3:-5], values[::2]]
        for part in parts:
            counts = histogram(part)
            assert counts.shape == (256,) and counts.tolist() == np.bincount(part.ravel(), minlength=256).tolist()
