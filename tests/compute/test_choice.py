"""The engine options are checked before any work: unknown engines, Ray-only options without Ray."""

from __future__ import annotations

import pytest

from loraprep.compute import LOCAL, EngineChoice, engine_choice
from loraprep.errors import UsageError


def test_local_is_the_default_and_not_distributed():
    assert engine_choice() == LOCAL and not LOCAL.distributed
    assert engine_choice(" Ray ", "auto", 1).distributed


@pytest.mark.parametrize("name", ["spark", "", "ray2"])
def test_an_unknown_engine_names_the_ones_there_are(name):
    if not name:
        assert engine_choice(name) == LOCAL     # an empty choice is the default
        return
    with pytest.raises(UsageError, match="unknown engine") as caught:
        EngineChoice(name)
    assert "local, ray" in caught.value.hint


@pytest.mark.parametrize("address, gpus, flag", [("auto", 0, "--address"), (None, 2, "--gpus-per-worker"),
                                                ("ray://head:10001", 0.5, "--address")])
def test_ray_options_without_the_ray_engine_are_refused(address, gpus, flag):
    with pytest.raises(UsageError, match=f"{flag} only applies to --engine ray"):
        engine_choice("local", address, gpus)


def test_negative_gpus_are_refused():
    with pytest.raises(UsageError, match="0 or more"):
        EngineChoice("ray", None, -1)


def test_a_ready_choice_is_taken_as_it_is():
    choice = EngineChoice("ray", "10.0.0.2:6379", 1)
    assert engine_choice(choice, "ignored", 9) is choice
