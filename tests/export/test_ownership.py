"""An existing output folder is replaced only when it is provably a loraprep export; --replace overrides."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from loraprep.errors import ExportError
from loraprep.export import FORMATS, export_dataset
from loraprep.export.manifest import MANIFEST, read_claim
from loraprep.export.ownership import named, survey
from tests.export.conftest import files_under, foreign_project


def test_a_folder_with_a_foreign_export_json_is_refused_and_kept(dataset, tmp_path):
    """The issue's reproduction: src/main.py, notes.md and another tool's export.json."""
    _, items, options = dataset
    proj = tmp_path / "proj"
    before = foreign_project(proj)
    with pytest.raises(ExportError, match="not a loraprep export") as caught:
        export_dataset(items, "kohya", options(proj))
    assert all(name in str(caught.value) for name in ("export.json", "notes.md", "src/"))
    assert "--replace" in caught.value.hint
    assert files_under(proj) == before
    assert sorted(os.listdir(tmp_path)) == ["my lora", "proj"]


@pytest.mark.parametrize("fmt", list(FORMATS))  # the formats that place images (parquet: test_parquet.py)
def test_user_files_in_an_export_are_named_and_kept(fmt, dataset, tmp_path):
    _, items, options = dataset
    report = export_dataset(items, fmt, options())
    out = report.out_dir
    image_dir = out / report.placed[0].relpath.parent
    (out / "model.safetensors").write_bytes(b"\0" * 1234)
    (out / "samples").mkdir()
    (out / "samples" / "step_100.png").write_bytes(b"png")
    (image_dir / "my notes.txt").write_text("keep")
    (image_dir / "unrelated.npz").write_bytes(b"npz")  # an .npz named after no exported image is not a cache
    before = files_under(out)
    with pytest.raises(ExportError, match="did not write") as caught:
        export_dataset(items, fmt, options())
    message = str(caught.value)
    assert "model.safetensors" in message and "samples/" in message and "my notes.txt" in message
    assert "unrelated.npz" in message
    assert files_under(out) == before
    replaced = export_dataset(items, fmt, options(replace=True))
    assert not (out / "model.safetensors").exists() and not (out / "samples").exists()
    assert survey(replaced.out_dir).is_loraprep_export


def test_many_foreign_files_are_listed_a_few_then_counted(dataset, tmp_path):
    _, items, options = dataset
    export_dataset(items, "kohya", options())
    for i in range(9):
        (tmp_path / "out" / f"user_{i}.bin").write_bytes(b"x")
    with pytest.raises(ExportError, match=r"user_0\.bin, user_1\.bin, user_2\.bin, user_3\.bin, user_4\.bin "
                                          r"and 4 more"):
        export_dataset(items, "kohya", options())


def trainer_caches(fmt: str, report) -> list[Path]:
    """Write what the trainer of ``fmt`` writes into its data folders, by its own naming; return the paths."""
    out, made = report.out_dir, []
    for placed in report.placed:
        image = out / placed.relpath
        made += [image.with_name(f"{image.stem}_0768x1024_sdxl.npz"), image.with_name(f"{image.stem}.npz"),
                 image.with_name(f"{image.stem}_te_outputs.npz")]
    folders = {(out / p.relpath).parent for p in report.placed}
    for folder in folders:
        made += [folder / ".aitk_size.json", folder / "_latent_cache" / "x_abc.safetensors",
                 folder / "_t_e_cache" / "x_abc.safetensors",
                 folder / f"aspect_ratio_bucket_indices_{folder.name}.json"]
    if fmt == "simpletuner":
        backends = json.loads((out / "multidatabackend.json").read_text(encoding="utf-8"))
        for backend in backends:
            for key in ("cache_dir_vae", "cache_dir"):
                if key in backend:
                    made.append(Path(backend[key]) / "sub" / "latent.pt")
    for path in made:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(b"cache")
    return made


@pytest.mark.parametrize("fmt", list(FORMATS))  # the formats that place images (parquet: test_parquet.py)
def test_trainer_caches_go_with_the_export(fmt, dataset):
    _, items, options = dataset
    report = export_dataset(items, fmt, options())
    caches = trainer_caches(fmt, report)
    assert survey(report.out_dir).is_loraprep_export
    export_dataset(items[:4], fmt, options())
    assert not any(path.exists() for path in caches)


def test_a_changed_file_refuses_and_a_deleted_one_does_not(dataset, tmp_path):
    _, items, options = dataset
    report = export_dataset(items, "ai-toolkit", options())
    caption = (report.out_dir / report.placed[0].relpath).with_suffix(".txt")
    (report.out_dir / report.placed[1].relpath).unlink()
    assert survey(report.out_dir).is_loraprep_export
    caption.write_text("hand-edited caption, much longer than the one loraprep wrote")
    with pytest.raises(ExportError, match="changed since loraprep wrote them") as caught:
        export_dataset(items, "ai-toolkit", options())
    assert caption.name in str(caught.value)
    assert caption.read_text().startswith("hand-edited")


def test_a_linked_image_follows_its_source(dataset, tmp_path):
    root, items, options = dataset
    report = export_dataset(items, "kohya", options(mode="link"))
    linked = next(p for p in report.placed if p.method == "link")
    source, before = linked.item.source, linked.item.source.stat()
    with open(source, "ab") as handle:  # the user edits a source after exporting
        handle.write(b"\0" * 10)
    try:
        assert survey(report.out_dir).is_loraprep_export
        export_dataset(items, "kohya", options(mode="link"))
    finally:  # put the source back as it was, for the fixture's guard
        os.truncate(source, before.st_size)
        os.utime(source, ns=(before.st_atime_ns, before.st_mtime_ns))


def test_an_export_by_the_previous_version_is_replaceable_when_it_holds_only_what_its_report_lists(dataset, tmp_path):
    _, items, options = dataset
    for fmt in ("kohya", "simpletuner"):
        out = tmp_path / f"legacy-{fmt}"
        report = export_dataset(items, fmt, options(out))
        (out / MANIFEST).unlink()  # what the previous version wrote: export.json only
        image = out / report.placed[0].relpath
        image.with_name(image.stem + ".npz").write_bytes(b"cache")
        claim = read_claim(out)
        assert claim is not None and claim.source == "report"
        assert survey(out).is_loraprep_export
        export_dataset(items, fmt, options(out))
        assert read_claim(out).source == "manifest"

    out = tmp_path / "legacy-kohya"
    (out / MANIFEST).unlink()
    (out / "model.safetensors").write_bytes(b"weights")
    with pytest.raises(ExportError, match="older loraprep") as caught:
        export_dataset(items, "kohya", options(out))
    assert "model.safetensors" in str(caught.value) and "--replace" in caught.value.hint
    assert (out / "model.safetensors").read_bytes() == b"weights"


@pytest.mark.parametrize("record", [
    '{"loraprep_export": 1, "format": "kohya", "images": "all", "config_files": []}',
    '{"loraprep_export": "1", "format": "kohya", "images": [], "config_files": []}',
    '{"loraprep_export": 1, "format": "zip", "images": [], "config_files": []}',
    '[1, 2, 3]', "not json at all", "",
])
def test_an_export_json_that_is_no_loraprep_report_proves_nothing(record, dataset, tmp_path):
    _, items, options = dataset
    out = tmp_path / "out"
    out.mkdir()
    (out / "export.json").write_text(record)
    (out / MANIFEST).write_text('{"loraprep_manifest": 1, "files": "everything"}')
    with pytest.raises(ExportError, match="not a loraprep export"):
        export_dataset(items, "kohya", options(out))
    assert (out / "export.json").read_text() == record


def test_empty_folders_and_browser_metadata_are_no_obstacle(dataset, tmp_path):
    _, items, options = dataset
    (tmp_path / "out").mkdir()
    (tmp_path / "out" / ".DS_Store").write_bytes(b"\0\0\0\1Bud1")
    export_dataset(items, "hf", options())
    assert survey(tmp_path / "out").is_loraprep_export


def test_names_are_shown_escaped():
    assert named(["zz_\udce9t\udce9.png", "a\nb"]) == "zz_\\udce9t\\udce9.png, a\\nb"
    assert named([str(i) for i in range(7)], shown=3) == "0, 1, 2 and 4 more"
