"""A candidate's verdict may come late: every frame the sampler is fed before it is settled goes as it would have."""

from __future__ import annotations

import numpy as np
import pytest

from loraprep.acquire.video.sampling import SceneSampler, StepSampler


def _run(sampler, frames, refuse, late: bool) -> list[tuple[float, bool]]:
    """Candidates picked (time, refused) when each verdict is applied at once, or only when ``waits_for`` says
    (or at the next candidate), as the extraction's worker thread gives them."""
    picked, out = [], None
    for t, change in frames:
        if late and out is not None and sampler.waits_for(out, t, change):
            if refuse(out):
                sampler.refused(out)
            out = None
        if not sampler.feed(t, change):
            continue
        if late:
            if out is not None and refuse(out):
                sampler.refused(out)
            out = t
        elif refuse(t):
            sampler.refused(t)
        picked.append((round(t, 4), refuse(t)))
    return picked


@pytest.mark.parametrize("seed", range(12))
@pytest.mark.parametrize("make", [lambda: SceneSampler(), lambda: SceneSampler(long_shot=1.0),
                                  lambda: StepSampler(0.5)])
def test_late_verdicts_pick_the_same_candidates(seed, make):
    rng = np.random.default_rng(seed)
    fps = [24, 23.976, 30, 12][seed % 4]
    times = np.cumsum(rng.uniform(0.5, 1.5, 600) / fps)
    changes = np.where(rng.random(600) < 0.04, rng.uniform(15, 80, 600), rng.uniform(0, 25, 600))
    frames = list(zip(times.tolist(), changes.tolist()))
    refused = {round(t, 4) for t in times[rng.random(600) < 0.6].tolist()}      # most candidates refused

    def refuse(t):
        return round(t, 4) in refused

    now, late = _run(make(), frames, refuse, late=False), _run(make(), frames, refuse, late=True)
    assert now == late and len(now) > 5


def test_a_scene_sampler_waits_at_a_possible_cut_and_when_a_retry_would_come():
    sampler = SceneSampler()
    assert not sampler.waits_for(1.0, 1.1, 3.0)
    assert sampler.waits_for(1.0, 1.1, sampler.cut_change)
    assert sampler.waits_for(1.0, 1.25, 0.0) and not sampler.waits_for(1.0, 1.2, 0.0)
    assert not StepSampler(1.0).waits_for(1.0, 9.0, 99.0)
