"""The contract of every exporter: files present, captions valid, sources untouched, atomic re-export, unique stems."""

from __future__ import annotations

import json
import os
from collections import Counter
from pathlib import PurePosixPath

import pytest
from PIL import Image

from loraprep.errors import ExportError, ImageError
from loraprep.export import export_dataset, format_names, get_exporter, read_report
from loraprep.export.captions import check_caption_file
from loraprep.export import registry
from loraprep.export.naming import name_key

FORMATS = list(registry.FORMATS)  # the formats that place images (parquet is metadata only)


def test_every_format_is_registered():
    assert set(FORMATS) == {"kohya", "kohya-finetune", "hf", "onetrainer", "ai-toolkit", "simpletuner"}
    assert format_names() == [*FORMATS, "parquet"]


@pytest.mark.parametrize("fmt", FORMATS)
def test_files_present_and_captions_valid(fmt, dataset):
    root, items, options = dataset
    report = export_dataset(items, fmt, options())
    out = report.out_dir
    exporter = get_exporter(fmt)
    assert len(report.placed) == len(items)
    for placed in report.placed:
        image_path = out / placed.relpath
        with Image.open(image_path) as im:
            assert im.format in ("JPEG", "PNG")
            assert im.mode in ("RGB", "L", "P")
        assert check_caption_file(placed.caption.encode("utf-8")) == []
        if exporter.sidecar_captions:
            data = image_path.with_suffix(".txt").read_bytes()
            assert check_caption_file(data) == [], placed.relpath
            assert data.decode("utf-8") == placed.caption
            assert b"\n" not in data and b"\r" not in data
    for name in report.config_files:
        assert (out / name).is_file(), name
    data = read_report(out)
    assert data["format"] == fmt
    assert {row["source"] for row in data["images"]} == {str(i.source) for i in items}


@pytest.mark.parametrize("fmt", FORMATS)
def test_unique_stems_per_folder(fmt, dataset):
    _, items, options = dataset
    report = export_dataset(items, fmt, options())
    stems = Counter((str(p.relpath.parent), name_key(p.relpath.stem)) for p in report.placed)
    assert max(stems.values()) == 1
    files = [p for p in report.out_dir.rglob("*") if p.is_file()]
    assert len({str(p).casefold() for p in files}) == len(files)


@pytest.mark.parametrize("fmt", FORMATS)
def test_conversions_recorded(fmt, dataset):
    _, items, options = dataset
    report = export_dataset(items, fmt, options(mode="copy"))
    by_id = {p.item.image_id: p for p in report.placed}
    assert by_id["i1"].method == "copy" and by_id["i1"].conversions == ()
    assert "webp->png" in by_id["i3"].conversions
    assert "alpha->white" in by_id["i4"].conversions
    assert "gif->png" in by_id["i6"].conversions
    with Image.open(report.out_dir / by_id["i4"].relpath) as im:
        assert im.mode == "RGB"
    assert by_id["i5"].caption == "mychar" and by_id["i5"].caption_fallback
    assert by_id["i3"].caption == "mychar, casual"  # the BOM never reaches the file


@pytest.mark.parametrize("fmt", FORMATS)
def test_link_mode_hard_links_and_copy_mode_does_not(fmt, dataset, tmp_path):
    _, items, options = dataset
    linked = export_dataset(items, fmt, options(tmp_path / "linked", mode="link"))
    copied = export_dataset(items, fmt, options(tmp_path / "copied", mode="copy"))
    jpeg = next(p for p in linked.placed if p.item.image_id == "i1")
    assert (linked.out_dir / jpeg.relpath).stat().st_ino == jpeg.item.source.stat().st_ino
    jpeg = next(p for p in copied.placed if p.item.image_id == "i1")
    assert (copied.out_dir / jpeg.relpath).stat().st_ino != jpeg.item.source.stat().st_ino
    assert (copied.out_dir / jpeg.relpath).read_bytes() == jpeg.item.source.read_bytes()


@pytest.mark.parametrize("fmt", FORMATS)
def test_failed_reexport_leaves_previous_export_intact(fmt, dataset, tmp_path):
    root, items, options = dataset
    first = export_dataset(items, fmt, options())
    before = {p: p.read_bytes() for p in first.out_dir.rglob("*") if p.is_file()}
    broken = root / "outfit casual" / "broken.webp"
    broken.write_bytes(b"RIFF\x00\x00\x00\x00WEBPVP8 garbage")
    bad = items + [items[2].__class__(**{**items[2].__dict__, "image_id": "bad", "source": broken})]
    with pytest.raises(ImageError):
        export_dataset(bad, fmt, options())
    broken.unlink()
    after = {p: p.read_bytes() for p in first.out_dir.rglob("*") if p.is_file()}
    assert after == before
    assert sorted(os.listdir(tmp_path)) == ["my lora", "out"]  # no staging folder left behind


@pytest.mark.parametrize("fmt", FORMATS)
def test_reexport_replaces_the_folder(fmt, dataset, tmp_path):
    _, items, options = dataset
    first = export_dataset(items, fmt, options())
    gone = first.out_dir / first.placed[0].relpath
    gone.unlink()  # a file loraprep wrote and the user deleted: no obstacle
    stale = tmp_path / "out" / "stale.txt"
    stale.write_text("from an earlier export")
    changed = [i.__class__(**{**i.__dict__, "caption": i.caption + ", new tag"}) for i in items[:3]]
    with pytest.raises(ExportError, match="stale.txt"):
        export_dataset(changed, fmt, options())
    assert stale.read_text() == "from an earlier export"
    report = export_dataset(changed, fmt, options(replace=True))
    assert not stale.exists()
    assert len(read_report(report.out_dir)["images"]) == 3
    assert all(p.caption.endswith("new tag") for p in report.placed)
    assert sorted(os.listdir(tmp_path)) == ["my lora", "out"]


@pytest.mark.parametrize("fmt", FORMATS)
def test_output_inside_dataset_is_refused(fmt, dataset):
    root, items, options = dataset
    with pytest.raises(ExportError, match="inside the dataset"):
        export_dataset(items, fmt, options(root / "export"))
    with pytest.raises(ExportError, match="inside the dataset"):
        export_dataset(items, fmt, options(root))
    assert not (root / "export").exists()


@pytest.mark.parametrize("fmt", FORMATS)
def test_config_paths_point_at_the_final_folder(fmt, dataset):
    _, items, options = dataset
    report = export_dataset(items, fmt, options())
    for name in report.config_files:
        text = (report.out_dir / name).read_text(encoding="utf-8")
        assert "loraprep-tmp" not in text
    if fmt != "hf":
        configs = " ".join((report.out_dir / n).read_text(encoding="utf-8") for n in report.config_files)
        assert str(report.out_dir) in configs or json.dumps(str(report.out_dir))[1:-1] in configs


def test_relpaths_are_posix(dataset):
    _, items, options = dataset
    report = export_dataset(items, "kohya", options())
    assert all(isinstance(p.relpath, PurePosixPath) for p in report.placed)
    assert {str(p.relpath.parent) for p in report.placed} == {
        "img/2_outfit_casual", "img/5_armor_(v2)-primary", "img/1_armor_(v2)-supporting", "img/3_ゼータ"}


def test_unknown_format_is_an_export_error():
    with pytest.raises(ExportError, match="unknown export format"):
        get_exporter("dreambooth")
    assert get_exporter("AI_toolkit").name == "ai-toolkit"
