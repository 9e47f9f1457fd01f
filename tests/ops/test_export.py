"""export() of the tagged sample: every format, captions = the Workspace's, repeats = the plan's, atomic replace."""

from __future__ import annotations

import json
import os
import tomllib
from pathlib import Path

import pytest

from loraprep import ops
from loraprep.errors import ExportError
from loraprep.export import FORMATS
from loraprep.ops.edits import EditOp
from loraprep.ops.export import export
from loraprep.ops.plan import plan
from loraprep.ops.workspace import Workspace
from tests.ops.sample_helpers import captions, clone, copy_sample, prepare


@pytest.fixture(scope="module")
def prepared(tmp_path_factory) -> Path:
    """The sample with its own recipe, scanned, deduplicated and tagged once; tests here only read it."""
    return prepare(copy_sample(tmp_path_factory.mktemp("export")))


@pytest.fixture(scope="module")
def expected(prepared) -> dict:
    """What every export must say: the Workspace's captions by source path and the plan's repeats by concept."""
    rows = plan(prepared)["rows"]
    return {"captions": captions(prepared), "repeats": {(r["concept"], r["tier"]): r["repeats"] for r in rows}}


def exported_images(out: Path) -> list[dict]:
    return json.loads((out / "export.json").read_text(encoding="utf-8"))["images"]


def check_report_against_workspace(prepared: Path, out: Path, expected: dict) -> list[dict]:
    images = exported_images(out)
    by_source = {str(Path(i["source"]).relative_to(prepared)): i for i in images}
    assert set(by_source) == set(expected["captions"])  # every active image, nothing else
    for rel, image in by_source.items():
        assert image["caption"] == expected["captions"][rel], rel
        assert image["repeats"] == expected["repeats"][(image["concept"], image["tier"])], rel
        assert (out / image["output"]).is_file()
    return images


@pytest.mark.parametrize("fmt", list(FORMATS))  # the formats that place images (parquet: test_parquet.py)
def test_every_format_exports_the_workspace_captions_and_planned_repeats(prepared, expected, tmp_path, fmt,
                                                                         source_guard):
    source_guard(prepared)
    out = tmp_path / fmt
    report = export(prepared, out, fmt=fmt)
    assert report["format"] == fmt and report["counts"]["images"] == 36  # 33 + the 3 group pictures (no crops: prepare does not crop)
    assert report["plan"]["rows"] and not list(tmp_path.glob(".*loraprep-tmp*"))
    check_report_against_workspace(prepared, out, expected)


def test_kohya_folders_captions_and_toml(prepared, expected, tmp_path):
    out = tmp_path / "kohya"
    export(prepared, out, fmt="kohya")
    images = check_report_against_workspace(prepared, out, expected)
    config = tomllib.loads((out / "dataset.toml").read_text(encoding="utf-8"))
    assert config["general"]["caption_extension"] == ".txt"
    subsets = {Path(s["image_dir"]).name: s for d in config["datasets"] for s in d["subsets"]}
    for (concept, _tier), repeats in expected["repeats"].items():
        folder = f"{repeats}_{concept}"
        assert (out / "img" / folder).is_dir() and subsets[folder]["num_repeats"] == repeats
    assert subsets[f"{expected['repeats'][('outfit_red', '')]}_outfit_red"]["keep_tokens"] == 2  # trigger + fixed
    for image in images:
        data = (out / image["output"]).with_suffix(".txt").read_bytes()
        assert not data.startswith(b"\xef\xbb\xbf") and b"\n" not in data and b"\r" not in data
        assert data.decode("utf-8") == image["caption"]
        assert Path(image["output"]).parent.name.split("_", 1)[0] == str(image["repeats"])


def test_link_and_copy_modes(prepared, tmp_path, source_guard):
    source_guard(prepared)
    linked = exported_images(_export(prepared, tmp_path / "linked", "link"))
    copied = exported_images(_export(prepared, tmp_path / "copied", "copy"))
    for image in linked:
        if image["method"] == "link":
            assert os.stat(tmp_path / "linked" / image["output"]).st_ino == os.stat(image["source"]).st_ino
    assert any(i["method"] == "link" for i in linked)
    assert {i["method"] for i in copied} <= {"copy", "convert"}
    for image in copied:
        assert os.stat(tmp_path / "copied" / image["output"]).st_ino != os.stat(image["source"]).st_ino


def _export(root: Path, out: Path, mode: str) -> Path:
    export(root, out, fmt="kohya", mode=mode)
    return out


def test_hf_export_loads_with_the_datasets_package(prepared, expected, tmp_path, monkeypatch):
    monkeypatch.setenv("HF_DATASETS_OFFLINE", "1")
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    datasets = pytest.importorskip("datasets")
    out = tmp_path / "hf"
    export(prepared, out, fmt="hf")
    loaded = datasets.load_dataset("imagefolder", data_dir=str(out), split="train", cache_dir=str(tmp_path / "cache"))
    assert len(loaded) == 36  # 33 + the 3 group pictures
    assert sorted(loaded["text"]) == sorted(expected["captions"].values())
    assert {"image", "text", "concept", "repeats"} <= set(loaded.column_names)
    repeats = {c: r for (c, _t), r in expected["repeats"].items()}
    assert all(r == repeats[c] for c, r in zip(loaded["concept"], loaded["repeats"]))


def test_output_inside_the_dataset_is_refused(prepared):
    for inside in (prepared / "out", prepared / "outfit_red" / "export", prepared):
        with pytest.raises(ExportError, match="inside the dataset"):
            export(prepared, inside, fmt="kohya")
    assert not (prepared / "out").exists() and not (prepared / "outfit_red" / "export").exists()
    assert not list(prepared.rglob("*loraprep-tmp*"))


def test_reexport_replaces_the_folder_and_a_failed_one_keeps_the_previous(prepared, tmp_path, monkeypatch):
    root = clone(prepared, tmp_path / "work")
    out = tmp_path / "out"
    export(root, out, fmt="kohya")
    first = Path(exported_images(out)[0]["output"])
    latents = out / first.parent / f"{first.stem}_0768x0768_sdxl.npz"  # a cache kohya wrote beside the image
    latents.write_bytes(b"npz")
    with Workspace(root) as ws:
        red_04 = next(f.id for f in ws.files() if f.path == "outfit_red/red_04.jpg")
        ws.apply_edit(EditOp("add", ("blurry",)), [red_04])
    export(root, out, fmt="kohya")
    assert not latents.exists()
    new_caption = next(i for i in exported_images(out) if i["source"].endswith("red_04.jpg"))
    assert "blurry" in new_caption["caption"].split(", ")
    before = {p.relative_to(out): p.read_bytes() for p in out.rglob("*") if p.is_file()}

    import loraprep.export.pipeline as pipeline

    calls = {"n": 0}
    real = pipeline.caption_bytes

    def fail_midway(caption: str) -> bytes:
        calls["n"] += 1
        if calls["n"] == 10:
            raise OSError(28, "No space left on device")
        return real(caption)

    monkeypatch.setattr(pipeline, "caption_bytes", fail_midway)
    with Workspace(root) as ws:
        ws.apply_edit(EditOp("add", ("solo",)), [f.id for f in ws.files()])
    from loraprep.errors import DiskFullError

    with pytest.raises(DiskFullError, match="disk is full"):  # ENOSPC is named as a full disk, not re-raised raw
        export(root, out, fmt="kohya")
    after = {p.relative_to(out): p.read_bytes() for p in out.rglob("*") if p.is_file()}
    assert after == before
    assert not [p for p in tmp_path.iterdir() if "loraprep-tmp" in p.name or "loraprep-old" in p.name]


def test_export_refuses_a_foreign_folder_and_an_unknown_format(prepared, tmp_path):
    foreign = tmp_path / "mine"
    foreign.mkdir()
    (foreign / "notes.txt").write_text("keep me")
    with pytest.raises(ExportError, match="not a loraprep export"):
        export(prepared, foreign, fmt="kohya")
    assert (foreign / "notes.txt").read_text() == "keep me"
    with pytest.raises(ExportError, match="unknown export format"):
        export(prepared, tmp_path / "x", fmt="dreambooth-zip")


def test_excluded_and_failed_images_are_not_exported(prepared, tmp_path):
    out = tmp_path / "k"
    export(prepared, out, fmt="kohya")
    sources = {Path(i["source"]).name for i in exported_images(out)}
    assert "blue_10_corrupt.jpg" not in sources  # failed
    with Workspace(prepared) as ws:
        excluded = {Path(f.path).name for f in ws.files(("excluded",))}
    assert len(excluded) == 2 and not excluded & sources      # the two planted duplicates
    assert ops.status(prepared)["totals"]["active"] == 36  # 33 + the 3 group pictures


PER_CONCEPT_SEPARATORS = """trigger = ["lpsample"]
strategy = "all"
[tagger]
model = "../tiny_tagger"
[rules]
order = "score"
[concepts.outfit_red]
fixed = ["red outfit"]
keep_tokens_separator = "||"
[concepts.outfit_blue]
fixed = ["blue outfit"]
keep_tokens_separator = "|||"
[export]
format = "kohya"
"""


@pytest.fixture(scope="module")
def separators_sample(tmp_path_factory) -> Path:
    return prepare(copy_sample(tmp_path_factory.mktemp("seps"), recipe=PER_CONCEPT_SEPARATORS))


def _subsets(out: Path) -> dict[str, dict]:
    config = tomllib.loads((out / "dataset.toml").read_text(encoding="utf-8"))
    return {Path(s["image_dir"]).name: s for s in config["datasets"][0]["subsets"]}


def test_each_concept_keeps_its_own_keep_tokens_separator(separators_sample, tmp_path):
    """Issue 16 #4: one global separator, picked from a set (a different one per run), became per subset."""
    subsets = _subsets(Path(export(separators_sample, tmp_path / "k", fmt="kohya")["out_dir"]))
    by_concept = {name.split("_", 1)[1]: s for name, s in subsets.items()}
    assert by_concept["outfit_red"]["keep_tokens_separator"] == "||"
    assert by_concept["outfit_blue"]["keep_tokens_separator"] == "|||"
    assert "keep_tokens_separator" not in by_concept["blobby"]
    for name, subset in subsets.items():
        for caption in (tmp_path / "k" / "img" / name).glob("*.txt"):
            text = caption.read_text(encoding="utf-8")
            token = subset.get("keep_tokens_separator")
            assert token is None or f" {token} " in text, (name, text)
            if token == "||":
                assert "|||" not in text


def test_an_image_without_its_fixed_tag_gets_a_subset_that_pins_only_the_trigger(separators_sample, tmp_path):
    """Issue 16 #8: keep_tokens counted per concept pinned the next tag of an image whose fixed tag was removed."""
    root = clone(separators_sample, tmp_path)
    with Workspace(root) as ws:
        red = sorted((f for f in ws.files() if f.concept == "outfit_red"), key=lambda f: f.path)
        ws.apply_edit(EditOp("remove", ("red outfit",)), [red[0].id])
        ws.apply_edit(EditOp("add", ("red, white dress",)), [red[1].id])
        lost = red[0].path
    report = export(root, tmp_path / "k", fmt="kohya")
    subsets = _subsets(tmp_path / "k")
    reds = {name: s for name, s in subsets.items() if "outfit_red" in name}
    assert sorted(s["keep_tokens"] for s in reds.values()) == [1, 2]
    assert len({s["num_repeats"] for s in reds.values()}) == 1  # same repeats: steps stay the plan's
    by_source = {str(Path(i["source"]).relative_to(root)): i for i in report["images"]}
    image = by_source[lost]
    subset = subsets[Path(image["output"]).parent.name]
    assert subset["keep_tokens"] == 1 and not image["caption"].startswith("lpsample, red outfit")
    assert "red outfit" not in image["caption"].split(", ")  # a removed tag is never put back
    # Issue 16 #7: the tag holding a comma is written with sd-scripts' secondary_separator, one tag when split.
    held = by_source[red[1].path]
    token = subsets[Path(held["output"]).parent.name]["secondary_separator"]
    assert f"red{token} white dress" in held["caption"]
    with pytest.raises(ExportError, match=r"red, white dress"):
        export(root, tmp_path / "o", fmt="onetrainer")
