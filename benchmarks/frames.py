"""Benchmark: `loraprep frames --scenes` end to end against a bare PyAV decode of every frame of the same 1080p file."""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(ROOT))
from common import machine  # noqa: E402


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


def generate(path: Path, minutes: float, grain: int) -> Path:
    """The episode, generated once and cached (the marker file says it is complete)."""
    from tests.acquire.video.videos import write_video

    marker = path.with_suffix(".done")
    if marker.exists() and path.exists():
        return path
    path.parent.mkdir(parents=True, exist_ok=True)
    start = time.perf_counter()
    write_video(path, shots_for(minutes), size=(1920, 1080), fps=24, gop=240, grain=grain)
    print(f"generated {path.name} in {time.perf_counter() - start:.0f} s")
    marker.write_text("ok")
    return path


def bare_decode(path: str) -> None:
    """The baseline, run in its own process like the CLI: decode every frame with FFmpeg's threads, nothing else."""
    import av

    with av.open(path) as container:
        stream = container.streams.video[0]
        stream.codec_context.thread_type = "AUTO"      # frame and slice threads, as the command sets them
        stream.codec_context.thread_count = 0          # (acquire/video/decode.py setup): FFmpeg picks the count
        count = sum(1 for _ in container.decode(stream))
    print(count)


def child_environment(work: Path) -> dict[str, str]:
    """The children's environment: Python's compiled modules kept (in the work folder), as an installed package
    has them. With PYTHONDONTWRITEBYTECODE set (as on the development machines) every run of the command would
    compile loraprep's modules from source again (about 0.3 s of CPU that no installed copy spends); the
    first, short run compiles them once, and both the baseline and the command read the cache after."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env["PYTHONPYCACHEPREFIX"] = str(work / "pycache")
    return env


def child(args: list[str], env: dict[str, str] | None = None) -> tuple[float, float, int]:
    """(wall seconds, CPU seconds: user + system, peak RSS in MiB) of one child process. CPU time is the steadier
    figure on a machine shared with other work: it does not count the time the child waited for a core."""
    start = time.perf_counter()
    process = subprocess.Popen([sys.executable, *args], stdout=subprocess.DEVNULL, env=env)
    _, status, usage = os.wait4(process.pid, 0)
    wall = time.perf_counter() - start
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode:
        raise subprocess.CalledProcessError(process.returncode, args)
    return wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss // 1024


def measure(work: Path, minutes: float, grain: int, repeat: int = 1, before: Path | None = None) -> None:
    """One video's figures: `loraprep frames --scenes` ``repeat`` times, each run between bare decodes of the same
    file (bare, frames, bare, frames, ..., bare); the best (lowest) of each counts, so the baseline is the best
    bare decode of one run more than the command had. With ``before`` (another copy's src folder) that copy's
    command runs too, just before this one each time (bare, before, frames, bare, ...), on a fresh dataset."""
    short_minutes = max(0.5, minutes / 3)
    print(f"grain {grain}: generating {minutes:g} and {short_minutes:g} min 1080p H.264 videos in {work} (cached)")
    long_video = generate(work / f"episode_{minutes:g}min_grain{grain}.mp4", minutes, grain)
    short_video = generate(work / f"episode_{short_minutes:g}min_grain{grain}.mp4", short_minutes, grain)
    out = work / "dataset"
    shutil.rmtree(out, ignore_errors=True)
    command, env = ["-m", "loraprep", "frames"], child_environment(work)
    rss_short = child([*command, str(short_video), str(out / "short"), "--scenes"], env)[2]
    shutil.rmtree(out, ignore_errors=True)
    bare = [child([__file__, "--bare-decode", str(long_video)], env)]
    runs, old_runs, old_written = [], [], None
    for _ in range(max(1, repeat)):
        if before is not None:
            shutil.rmtree(out, ignore_errors=True)
            old_env = dict(env, PYTHONPATH=str(before))
            old_runs.append(child([*command, str(long_video), str(out / "screens"), "--scenes"], old_env))
            old_written = len(list((out / "screens").glob("*.png")))
        shutil.rmtree(out, ignore_errors=True)            # the store too: every run writes every frame
        runs.append(child([*command, str(long_video), str(out / "screens"), "--scenes"], env))
        bare.append(child([__file__, "--bare-decode", str(long_video)], env))
    written = len(list((out / "screens").glob("*.png")))
    wall, cpu, rss_long = min(r[0] for r in runs), min(r[1] for r in runs), max(r[2] for r in runs)
    base_wall, base_cpu = min(b[0] for b in bare), min(b[1] for b in bare)
    size_mb = long_video.stat().st_size / 1e6
    print(f"video: {minutes:g} min, 1920x1080, 24 fps, grain {grain}, H.264 (libx264 ultrafast, keyint 240), "
          f"{size_mb:.0f} MB = {size_mb * 8 / (minutes * 60):.2f} Mbit/s")
    print("bare PyAV decode of every frame, before, between and after: "
          + ", ".join(f"{w:.1f} s wall / {c:.1f} s CPU" for w, c, _ in bare) + " (baseline: the lowest of each)")
    print("loraprep frames --scenes: " + ", ".join(f"{w:.1f} s wall / {c:.1f} s CPU" for w, c, _ in runs)
          + f" (the lowest of each), {written} frames written = "
          f"{wall / base_wall:.2f}x wall, {cpu / base_cpu:.2f}x CPU of the bare decode")
    if old_runs:
        old_wall, old_cpu = min(r[0] for r in old_runs), min(r[1] for r in old_runs)
        print(f"before ({before}): " + ", ".join(f"{w:.1f} s wall / {c:.1f} s CPU" for w, c, _ in old_runs)
              + f" (the lowest of each), {old_written} frames written = {old_wall / base_wall:.2f}x wall, "
              f"{old_cpu / base_cpu:.2f}x CPU of the bare decode; peak RSS {max(r[2] for r in old_runs)} MiB")
    print(f"peak RSS of `loraprep frames`: {rss_short} MiB on the {short_minutes:g} min video, {rss_long} MiB on "
          f"the {minutes:g} min one")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--minutes", type=float, default=5.0)
    parser.add_argument("--work", type=Path, default=Path("/tmp/loraprep-bench-frames"))
    parser.add_argument("--grain", type=int, nargs="+", default=[0],
                        help="film grain amplitude of each video measured, in turn: 0 draws flat pictures (0.25 "
                             "Mbit/s, the cheapest decode there is), 6 adds grain for about 3.6 Mbit/s (a "
                             "5-minute one generates in about 4 minutes on 2 shared cores)")
    parser.add_argument("--repeat", type=int, default=2,
                        help="runs of the command per video, each followed by a bare decode (one more bare decode "
                             "runs first); the lowest figures of each count (this machine is shared: one run "
                             "alone moves by a second of CPU)")
    parser.add_argument("--before", type=Path,
                        help="another copy's src folder (e.g. main's, from `git archive main src`): its command "
                             "runs too, just before this copy's each time, against the same baselines")
    parser.add_argument("--bare-decode", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.bare_decode:
        bare_decode(args.bare_decode)
        return
    import importlib.util

    print(f"machine: {machine()}")
    print("PNG deflate: " + ("ISA-L (isal)" if importlib.util.find_spec("isal") else "zlib (isal not installed)"))
    for grain in args.grain:
        measure(args.work, args.minutes, grain, args.repeat, args.before)
    print(f"reproduce: python benchmarks/frames.py --minutes {args.minutes:g} --repeat {args.repeat} --grain "
          + " ".join(str(g) for g in args.grain))


if __name__ == "__main__":
    main()
