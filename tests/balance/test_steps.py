"""kohya's step arithmetic: the guides' table, per-bucket rounding, regularisation, gradient accumulation."""

from __future__ import annotations

import pytest

from loraprep.balance.steps import (
    BucketSpec, StepGroup, batches_per_epoch, bucket_resolutions, epochs_for, guide_steps, samples_per_epoch,
    select_bucket, steps_per_epoch,
)


@pytest.mark.parametrize("images, repeats, epochs, batch, guide, kohya", [
    (20, 10, 10, 2, 1000, 1000),
    (100, 3, 10, 2, 1500, 1500),
    (400, 1, 10, 2, 2000, 2000),
    (1000, 1, 10, 3, 3333.3, 3340),  # the guide rounds to 3300; kohya rounds each epoch up: 334 x 10
])
def test_guide_004_table(images, repeats, epochs, batch, guide, kohya):
    assert guide_steps(images * repeats, epochs, batch) == pytest.approx(guide, abs=0.1)
    assert steps_per_epoch([StepGroup(images, repeats)], batch) * epochs == kohya


@pytest.mark.parametrize("samples, epochs, total", [(200, 17, 1700), (300, 12, 1800), (400, 10, 2000)])
def test_guide_004_multi_concept_table(samples, epochs, total):
    assert steps_per_epoch([StepGroup(samples, 1)], 2) * epochs == total


def test_bucket_resolutions_follow_kohya():
    resos = bucket_resolutions(BucketSpec(768))
    assert (768, 768) in resos and (1024, 576) in resos and (576, 1024) in resos
    assert all(w % 64 == 0 and h % 64 == 0 and 256 <= min(w, h) and max(w, h) <= 1024 for w, h in resos)
    assert all(w * h <= 768 * 768 for w, h in resos)
    assert resos == sorted(resos)


def test_select_bucket_picks_closest_aspect():
    resos = bucket_resolutions(BucketSpec(768))
    assert select_bucket(2000, 1000, resos) == (1024, 512)
    assert select_bucket(768, 768, resos) == (768, 768)
    assert select_bucket(1000, 1001, resos) == (768, 768)


def test_each_bucket_rounds_up_separately():
    square = [(800, 800)] * 3
    wide = [(1600, 800)] * 3
    groups = [StepGroup(3, 1, tuple(square)), StepGroup(3, 1, tuple(wide))]
    assert batches_per_epoch(groups, 2) == 3
    assert batches_per_epoch(groups, 2, BucketSpec(768)) == 4  # 2 + 2


def test_unknown_sizes_share_one_bucket():
    groups = [StepGroup(3, 1, ((800, 800),) * 3), StepGroup(3, 1)]
    assert batches_per_epoch(groups, 2, BucketSpec(768)) == 4  # 2 for the known bucket + 2 for the unknown


@pytest.mark.parametrize("unmeasured", [(0, 0), (0, 640), (512, 0)])
def test_an_unmeasured_size_joins_the_unknown_bucket(unmeasured):
    # A store row without a width or height reaches the plan as 0: it must not divide by zero.
    groups = [StepGroup(3, 1, ((800, 800), (800, 800), unmeasured))]
    assert batches_per_epoch(groups, 2, BucketSpec(768)) == 2  # 1 for the two known + 1 for the unmeasured one


def test_regularisation_doubles_the_samples():
    groups = [StepGroup(20, 5), StepGroup(10, 1, regularization=True)]
    assert samples_per_epoch(groups) == 200
    assert steps_per_epoch(groups, 2) == 100


def test_surplus_regularisation_is_not_used():
    groups = [StepGroup(10, 1), StepGroup(50, 1, regularization=True)]
    assert samples_per_epoch(groups) == 20


def test_regularisation_overshoot_matches_kohya():
    # First pass adds each reg image's full repeats and stops once the train count is reached: 3 + 3 >= 5.
    groups = [StepGroup(5, 1), StepGroup(4, 3, regularization=True)]
    assert samples_per_epoch(groups) == 5 + 6


def test_gradient_accumulation_divides_steps():
    assert steps_per_epoch([StepGroup(10, 1)], 2, grad_accum=2) == 3
    with pytest.raises(ValueError):
        steps_per_epoch([StepGroup(10, 1)], 2, grad_accum=0)


def test_epochs_for():
    assert epochs_for(1500, 200) == 8
    assert epochs_for(1500, 1500) == 1
    assert epochs_for(10, 5000) == 1
    with pytest.raises(ValueError):
        epochs_for(1500, 0)


def test_bucket_spec_validation():
    with pytest.raises(ValueError):
        BucketSpec(1024, max_reso=768)
