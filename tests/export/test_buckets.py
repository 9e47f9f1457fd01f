"""Bucket limits written for sd-scripts pass its own rounding and asserts, whatever the resolution."""

from __future__ import annotations

import pytest

from loraprep.export.buckets import bucket_limits
from tests.export.trainers import kohya


@pytest.mark.parametrize("resolution", [64, 128, 192, 200, 256, 320, 500, 512, 768, 1000, 1024, 1088, 1536, 2048])
def test_limits_pass_sd_scripts_checks(resolution):
    low, high = bucket_limits(resolution)
    kohya.check_buckets({"resolution": resolution, "min_bucket_reso": low, "max_bucket_reso": high,
                         "bucket_reso_steps": 64})
    assert low == min(256, resolution - resolution % 64) and high >= max(1024, resolution)


def test_check_refuses_what_sd_scripts_refuses():
    with pytest.raises(kohya.Rejected, match="min_bucket_reso"):
        kohya.check_buckets({"resolution": 192, "min_bucket_reso": 256, "max_bucket_reso": 1024,
                             "bucket_reso_steps": 64})
    with pytest.raises(kohya.Rejected, match="divisible by 64"):
        kohya.check_buckets({"resolution": 512, "min_bucket_reso": 256, "max_bucket_reso": 1024,
                             "bucket_reso_steps": 32})
