"""The model registry: WD v2 and v3 names, repos, thresholds, default."""

from __future__ import annotations

from loraprep.tagging.registry import DEFAULT_MODEL, MODELS, describe, lookup


def test_default_model_is_swinv2_v3():
    assert DEFAULT_MODEL == "wd-swinv2-v3"
    assert MODELS[DEFAULT_MODEL].repo_id == "SmilingWolf/wd-swinv2-tagger-v3"
    assert MODELS[DEFAULT_MODEL].general == 0.2653


def test_v2_and_v3_families_are_listed():
    repos = {m.repo_id for m in MODELS.values()}
    for arch in ("vit", "convnext", "convnextv2", "swinv2", "moat"):
        assert f"SmilingWolf/wd-v1-4-{arch}-tagger-v2" in repos
    for arch in ("vit", "convnext", "swinv2", "vit-large", "eva02-large"):
        assert f"SmilingWolf/wd-{arch}-tagger-v3" in repos
    assert MODELS["wd-eva02-large-v3"].general == 0.5296
    assert MODELS["wd-vit-v2"].general == 0.35


def test_lookup_accepts_short_name_repo_name_and_repo_id():
    for spec in ("wd-vit-v3", "WD-VIT-V3", "wd-vit-tagger-v3", "SmilingWolf/wd-vit-tagger-v3"):
        assert lookup(spec).name == "wd-vit-v3"
    assert lookup("nope") is None


def test_describe_marks_the_default():
    rows = describe()
    assert [r["name"] for r in rows if r["default"]] == [DEFAULT_MODEL]
