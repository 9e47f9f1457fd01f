"""kohya `N_name` folders: concept, tier and the user's repeats, read as sd-scripts reads them."""

from __future__ import annotations

import pytest

from loraprep.ingest.kohya_folders import Placement, folder_repeats, place, repeat_folder


@pytest.mark.parametrize("name,parsed", [
    ("5_HaileyGrice", (5, "HaileyGrice")), ("10_hsr_kafka", (10, "hsr_kafka")), ("05_x", (5, "x")),
    ("1_two words", (1, "two words")), ("HaileyGrice", None), ("0_skipped", None), ("5_", None), ("5_ ", None),
    ("x_5", None), ("_5_a", None), ("12345_too_many", None),
])
def test_repeat_folder(name, parsed):
    assert repeat_folder(name) == parsed


def test_one_folder_per_name_is_a_concept_with_its_repeats():
    siblings = ("5_HaileyGrice", "3_outfit_red", "plain")
    assert place("5_HaileyGrice", "", siblings) == Placement("HaileyGrice", "", 5)
    assert place("3_outfit_red", "primary", siblings) == Placement("outfit_red", "primary", 3)
    assert place("plain", "t", siblings) == Placement("plain", "t", None)


def test_folders_sharing_a_name_are_tiers_of_one_concept():
    siblings = ("5_HaileyGrice", "2_HaileyGrice", "HaileyGrice", "1_other")
    assert place("5_HaileyGrice", "", siblings) == Placement("HaileyGrice", "5x", 5)
    assert place("2_HaileyGrice", "close", siblings) == Placement("HaileyGrice", "2x-close", 2)
    assert place("HaileyGrice", "", siblings) == Placement("HaileyGrice", "", None)
    assert place("1_other", "", siblings) == Placement("other", "", 1)


def test_folder_repeats_only_when_every_path_agrees():
    assert folder_repeats(["5_a/x.png", "5_a/sub/y.png"]) == 5
    assert folder_repeats(["5_a/x.png", "3_a/y.png"]) is None
    assert folder_repeats(["a/x.png"]) is None and folder_repeats(["x.png"]) is None
