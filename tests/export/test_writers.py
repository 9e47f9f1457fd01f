"""The TOML and YAML writers round-trip through real parsers, escapes included."""

from __future__ import annotations

import tomllib

import pytest

from loraprep.export.tomlwrite import toml_dumps
from loraprep.export.yamlwrite import yaml_dumps

NASTY = ['plain', 'quote " and \\ backslash', 'C:\\Users\\me\\lora', "tab\tnew\nline", "ゼータ (v2)", "bell\x07",
         "emoji 😀", "colon: hash # dash - ", "yes", "null", "1e3", "\u2028sep"]


def test_toml_round_trip():
    data = {"general": {"s": NASTY[1], "b": True, "i": 3, "f": 5e-4, "whole": 16.0, "l": NASTY},
            "datasets": [{"resolution": 768, "subsets": [{"image_dir": p} for p in NASTY]}]}
    assert tomllib.loads(toml_dumps(data)) == data


def test_toml_rejects_what_it_cannot_write():
    with pytest.raises(TypeError):
        toml_dumps({"x": object()})
    with pytest.raises(ValueError):
        toml_dumps({"x": float("nan")})


def test_yaml_round_trip():
    yaml = pytest.importorskip("yaml")
    data = {"datasets": [{"folder_path": p, "num_repeats": 2, "resolution": [512, 768], "shuffle_tokens": False,
                          "trigger_word": p} for p in NASTY], "top": {"nested": {"v": 1.5, "n": None}}}
    assert yaml.safe_load(yaml_dumps(data)) == data
