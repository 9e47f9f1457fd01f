"""Benchmark: `loraprep frames --scenes` end to end against a bare PyAV decode of every frame of the same 1080p file."""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(ROOT))
from common import machine, run_cli  # noqa: E402


def shots_for(minutes: float, seed: int = 0):
    """Shots of 1-8 s (anime cuts often), mostly distinct drawings, with static shots, black, fades and repeats."""
    import numpy as np

    from tests.acquire.video.videos import Shot

    rng = np.random.default_rng(seed)
    shots, at, n = [], 0.0, 0
    while at < minutes * 60:
        roll = rng.random()
        seconds = float(rng.uniform(1.0, 8.0))
        if roll < 0.05:
            shot = Shot("black", 1.0)
        elif roll < 0.10:
            shot = Shot("fade_out", 1.0, n)
        elif roll < 0.2:
            shot = Shot("static", seconds, n)
        elif roll < 0.25 and n > 3:
            shot = Shot("scene", seconds, int(rng.integers(0, n)))        # a repeat (flashback, opening)
        else:
            shot = Shot("scene", seconds, n)
        shots.append(shot)
        at += shot.seconds
        n += 1
    return shots


def generate(path: Path, minutes: float) -> Path:
    from tests.acquire.video.videos import write_video

    marker = path.with_suffix(".done")
    if marker.exists() and path.exists():
        return path
    path.parent.mkdir(parents=True, exist_ok=True)
    write_video(path, shots_for(minutes), size=(1920, 1080), fps=24, gop=240)
    marker.write_text("ok")
    return path


def bare_decode(path: str) -> None:
    """The baseline, run in its own process like the CLI: decode every frame with FFmpeg's threads, nothing else."""
    import av

    with av.open(path) as container:
        stream = container.streams.video[0]
        stream.codec_context.thread_type = "AUTO"
        count = sum(1 for _ in container.decode(stream))
    print(count)


def timed_child(args: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run([sys.executable, *args], check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--minutes", type=float, default=5.0)
    parser.add_argument("--work", type=Path, default=Path("/tmp/loraprep-bench-frames"))
    parser.add_argument("--bare-decode", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.bare_decode:
        bare_decode(args.bare_decode)
        return
    short_minutes = max(0.5, args.minutes / 3)
    print(f"generating {args.minutes:g} and {short_minutes:g} min 1080p H.264 videos in {args.work} (cached)")
    long_video = generate(args.work / f"episode_{args.minutes:g}min.mp4", args.minutes)
    short_video = generate(args.work / f"episode_{short_minutes:g}min.mp4", short_minutes)
    out = args.work / "dataset"
    shutil.rmtree(out, ignore_errors=True)
    rss_short = run_cli("frames", str(short_video), str(out / "short"), "--scenes")[1]
    shutil.rmtree(out, ignore_errors=True)
    bare = timed_child([__file__, "--bare-decode", str(long_video)])
    wall, rss_long = run_cli("frames", str(long_video), str(out / "screens"), "--scenes")
    written = len(list((out / "screens").glob("*.png")))
    bare_again = timed_child([__file__, "--bare-decode", str(long_video)])
    baseline = min(bare, bare_again)
    print(f"machine: {machine()}")
    print(f"video: {args.minutes:g} min, 1920x1080, 24 fps, H.264 (libx264 ultrafast, keyint 240)")
    print(f"bare PyAV decode of every frame: {bare:.1f} s, again after: {bare_again:.1f} s (baseline: the faster)")
    print(f"loraprep frames --scenes: {wall:.1f} s, {written} frames written = {wall / baseline:.2f}x the bare decode")
    print(f"peak RSS: {rss_short} MiB on the {short_minutes:g} min video, {rss_long} MiB (max of both) on the "
          f"{args.minutes:g} min one")
    print(f"reproduce: python benchmarks/frames.py --minutes {args.minutes:g}")


if __name__ == "__main__":
    main()
