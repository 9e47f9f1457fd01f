"""Pure per-frame signals on small planes: content change (shot cuts), black frames, fades, motion blur."""

from __future__ import annotations

from collections import deque

import numpy as np

BLACK_LEVEL = 24.0      # brightest 1% of the picture under this (full-range 0-255): a black frame
FADE_STEP = 1.5         # mean brightness moving this much a frame, the same way, over FADE_FRAMES: a fade
FADE_FRAMES = 3
FADE_STILL = 6.0        # ... while the picture itself barely changes (content change under this)
BLUR_WINDOW = 9         # the re-blur filter of the blur score (Crete et al. 2007), in samples
BLUR_SIDE = 360         # ... measured on the picture reduced (block means) to about this short side


def content_change(previous, current) -> float:
    """Mean absolute difference between two frames' small planes (planes.Small), 0-255: the mean of the luma,
    U and V channels' mean differences.

    PySceneDetect's ContentDetector (scenedetect/detectors/content_detector.py) averages the per-channel
    differences of HSV frames; the decoder's own YUV planes carry the same information without a colour
    conversion, which is what keeps scene detection within a fraction of the decode time."""
    if previous is None or previous.packed.shape != current.packed.shape \
            or previous.luma.shape != current.luma.shape:
        return 0.0
    diff = np.subtract(current.packed, previous.packed, dtype=np.int16)
    np.abs(diff, out=diff)
    ny = current.luma_count
    chroma = diff.size - ny
    luma_mean = float(diff[:ny].sum()) / ny
    chroma_means = float(diff[ny:].sum()) * 2 / chroma if chroma else 0.0     # U's mean + V's mean
    return (luma_mean + chroma_means) / (3 if chroma else 1)


def full_range_luma(values: np.ndarray, full_range: bool) -> np.ndarray:
    """Luma on the 0-255 scale whatever the stream's range (limited range puts black at 16, white at 235)."""
    if full_range:
        return values
    return np.clip((values.astype(np.float32) - 16.0) * (255.0 / 219.0), 0, 255)


def is_black(luma_small: np.ndarray, full_range: bool) -> bool:
    """Nearly the whole picture dark: a black frame (between shots, before a title)."""
    return bright_level(luma_small, full_range) < BLACK_LEVEL


def bright_level(values: np.ndarray, full_range: bool) -> float:
    """The brightest 1% of the samples starts here (their 99th percentile, 0-255 scale): how dark a frame is.

    ``np.percentile`` of the converted plane, but for 8-bit samples from their histogram: np.percentile
    partitions a float copy of every sample (about 20 ms for a 1080p plane), a histogram of the uint8 samples
    costs a tenth of that. The two sorted samples the percentile falls between are read off the cumulative
    histogram, converted to 0-255 and interpolated as numpy's default ("linear") method does."""
    values = np.asarray(values)
    if values.dtype != np.uint8 or values.size == 0:
        return float(np.percentile(full_range_luma(values, full_range), 99))
    position = 0.99 * (values.size - 1)
    below = int(position)
    cumulative = np.cumsum(histogram(values))
    low, high = np.searchsorted(cumulative, [below + 1, min(below + 2, values.size)], side="left")
    low_value, high_value = (float(v) for v in full_range_luma(np.array([low, high], np.uint8), full_range))
    return low_value + (high_value - low_value) * (position - below)


def histogram(values: np.ndarray) -> np.ndarray:
    """Counts of each of the 256 values of 8-bit samples. A large plane's by Pillow's histogram, a third of the
    time of np.bincount, which first widens every sample to 64 bits (1.5 against 4.5 ms for a 1080p plane)."""
    if values.ndim != 2 or values.size < _PILLOW_HISTOGRAM:
        return np.bincount(values.ravel(), minlength=256)
    from PIL import Image

    plane = np.ascontiguousarray(values)
    image = Image.frombuffer("L", (plane.shape[1], plane.shape[0]), plane, "raw", "L", 0, 1)
    return np.asarray(image.histogram(), np.int64)


_PILLOW_HISTOGRAM = 1 << 16       # samples: under this the two take microseconds either way


class FadeTracker:
    """Mean brightness of the last few frames; a frame is in a fade when brightness moved steadily one way
    while the picture stayed the same (a cut moves brightness too, but changes the picture)."""

    def __init__(self) -> None:
        self._means: deque[float] = deque(maxlen=FADE_FRAMES + 1)
        self._changes: deque[float] = deque(maxlen=FADE_FRAMES)

    def reset(self) -> None:
        self._means.clear()
        self._changes.clear()

    def feed(self, luma_small: np.ndarray, change: float) -> None:
        self.feed_brightness(float(luma_small.mean()), change)

    def feed_brightness(self, mean: float, change: float) -> None:
        """``feed`` with the small luma plane's mean already taken (meter.ChangeMeter gives it)."""
        self._means.append(mean)
        if len(self._means) > 1:
            self._changes.append(change)

    def in_fade(self) -> bool:
        if len(self._means) <= FADE_FRAMES:
            return False
        steps = np.diff(np.asarray(self._means))
        steady = bool(np.all(steps >= FADE_STEP) or np.all(steps <= -FADE_STEP))
        return steady and max(self._changes) < FADE_STILL + abs(float(steps.mean()))


def blur_score(luma_plane: np.ndarray) -> float:
    """0 (sharp) .. 1 (blurry): how much of the picture's neighbour-to-neighbour variation survives a strong
    re-blur, along the worse axis (motion blur smears one direction).

    The no-reference measure of Crete, Dolmiere, Ladret and Nicolas, "The blur effect: perception and
    estimation with a new no-reference perceptual blur metric" (SPIE 2007): a sharp picture loses much of its
    variation when blurred again, a blurred one little. It does not depend on contrast or on how much of the
    picture is flat colour, which matters for anime (large flat areas, thin lines)."""
    y = _reduced(np.asarray(luma_plane))
    if y.shape[0] < 2 * BLUR_WINDOW or y.shape[1] < 2 * BLUR_WINDOW:
        return 0.0
    scores = []
    for axis in (0, 1):
        d_sharp = np.abs(np.diff(y, axis=axis))
        d_blur = np.abs(_box_steps(y, axis, BLUR_WINDOW))
        total = float(d_sharp.sum()) * BLUR_WINDOW
        if total <= 0:
            continue
        d_sharp *= BLUR_WINDOW          # the re-blur as window sums, not means: whole numbers, the same ratio
        d_sharp -= d_blur
        lost = float(np.maximum(d_sharp, 0).sum())
        scores.append((total - lost) / total)
    return round(max(scores, default=0.0), 4)


def _reduced(y: np.ndarray) -> np.ndarray:
    """Block means by the integer factor that brings the short side near BLUR_SIDE: the score then means about
    the same at 480p and at 4K, and costs the same. 8-bit samples come back as int16 (exact, and the window
    sums of BLUR_WINDOW of them still fit), others as float32."""
    factor = max(1, min(y.shape) // BLUR_SIDE)
    if y.dtype != np.uint8:
        return y.astype(np.float32)
    if factor > 1:
        from PIL import Image

        y = np.asarray(Image.fromarray(np.ascontiguousarray(y), "L").reduce(factor))
    return y.astype(np.int16)


def _box_steps(y: np.ndarray, axis: int, size: int) -> np.ndarray:
    """Neighbour differences along ``axis`` of the sums of ``size`` samples centred on each one (edges
    replicated). Consecutive window sums share all but two samples, so each step is the sample entering the
    window minus the one leaving it: one subtraction, no running sum."""
    half, n = size // 2, y.shape[axis]

    def cut(start: int, stop: int) -> tuple:
        return (slice(start, stop), slice(None)) if axis == 0 else (slice(None), slice(start, stop))

    padded = np.concatenate([np.repeat(y[cut(0, 1)], half + 1, axis=axis), y,
                             np.repeat(y[cut(n - 1, n)], half, axis=axis)], axis=axis)
    return padded[cut(size + 1, size + n)] - padded[cut(1, n)]
