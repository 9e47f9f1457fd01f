"""Safe components and unique stems."""

from __future__ import annotations

import unicodedata

import pytest

from loraprep.export.naming import UniqueNames, safe_component


@pytest.mark.parametrize("raw, safe", [
    ("outfit casual", "outfit casual"),
    ("a/b\\c:d*e?f\"g<h>i|j", "a_b_c_d_e_f_g_h_i_j"),
    ("  .hidden ", "hidden"),
    ("trailing dot.", "trailing dot"),
    ("CON", "CON_"),
    ("nul.txt", "nul.txt_"),
    ("", "image"),
    ("...", "image"),
    ("tab\there", "tab here"),
    ("(armor) v2", "(armor) v2"),
])
def test_safe_component(raw, safe):
    assert safe_component(raw) == safe


def test_folder_names_have_no_spaces():
    assert safe_component("outfit  casual wear", spaces=False) == "outfit_casual_wear"


def test_names_are_nfc():
    decomposed = unicodedata.normalize("NFD", "café")
    assert safe_component(decomposed) == "café" and len(safe_component(decomposed)) == 4


def test_long_names_are_cut_on_a_character_boundary():
    name = safe_component("ゼ" * 200)
    assert len(name.encode("utf-8")) <= 120
    name.encode("utf-8").decode("utf-8")


def test_unique_names_ignore_case_and_normalisation():
    names = UniqueNames()
    assert names.claim("f", "a") == "a"
    assert names.claim("f", "A") == "A-2"
    assert names.claim("f", "a") == "a-3"
    assert names.claim("g", "a") == "a"  # another folder
    cafe_nfd = unicodedata.normalize("NFD", "café")
    assert names.claim("f", "café") == "café"
    assert names.claim("f", cafe_nfd) == f"{cafe_nfd}-2"


def test_claimed_suffix_names_do_not_collide_with_real_ones():
    names = UniqueNames()
    assert [names.claim("f", n) for n in ["a", "a", "a-2"]] == ["a", "a-2", "a-2-2"]


def test_reserved_names_are_never_handed_out():
    from loraprep.export.naming import reserved_folder, reserved_stem

    folders = UniqueNames(reserved=reserved_folder)
    assert [folders.claim("g", n) for n in ("_controls", "_Controls", "export.json", "armor")] == [
        "_controls-2", "_Controls-3", "export.json-2", "armor"]
    stems = UniqueNames(reserved=reserved_stem)
    assert [stems.claim("s", n) for n in ("x-masklabel", "y-CondLabel", "masklabel", "z-masklabel-2")] == [
        "x-masklabel-2", "y-CondLabel-2", "masklabel", "z-masklabel-2"]
