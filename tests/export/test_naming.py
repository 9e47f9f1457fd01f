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


@pytest.mark.parametrize("raw, safe", [
    ("invoice\u202egnp.exe", "invoicegnp.exe"),                  # right-to-left override: reads as written
    ("\u202aleft\u202c \u2067isolate\u2069 \u200fmark", "left isolate mark"),
    ("zero\u200bwidth\u200c\u200djoin\u2060er\ufeff", "zerowidthjoiner"),
    ("c1\x85control\x9b", "c1_control_"),
    ("undecodable_\udce9t\udce9", "undecodable__t_"),             # surrogate-escaped bytes of a Latin-1 name
    ("\u061carabic mark \u0627\u0644", "arabic mark \u0627\u0644"),
    ("\u202e", "image"),
])
def test_invisible_and_control_characters_never_reach_an_exported_name(raw, safe):
    name = safe_component(raw)
    assert name == safe
    assert not any(unicodedata.category(c) in ("Cf", "Cc", "Cs") for c in name)
    name.encode("utf-8")


@pytest.mark.parametrize("fmt", ["kohya", "onetrainer", "ai-toolkit"])
def test_an_export_writes_no_bidi_or_zero_width_character_in_any_name(tmp_path, fmt):
    from loraprep.export import ExportItem, ExportOptions, export_dataset
    from tests.conftest import make_image

    root = tmp_path / "ds"
    concept = "out\u202efit"
    source = make_image(root / concept / "photo\u202egnp.exe\u200b.png", (96, 80))
    item = ExportItem("i1", source, concept, "", "mychar, smile", 1, "PNG", "RGB", False, width=96, height=80)
    report = export_dataset([item], fmt, ExportOptions(out_dir=tmp_path / "out", dataset_root=root,
                                                       trigger_words=("mychar",), epochs=1))
    names = [p.name for p in report.out_dir.rglob("*")]
    assert any(n.startswith("photognp.exe") for n in names), names
    assert not [n for n in names if any(unicodedata.category(c) in ("Cf", "Cc") for c in n)], names
