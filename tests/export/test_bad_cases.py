"""Bad inputs end in one clear ExportError (or ImageError), and never in a half-written or misplaced export."""

from __future__ import annotations

import os

import pytest

from loraprep.errors import ExportError
from loraprep.export import export_dataset


def replace(item, **changes):
    return item.__class__(**{**item.__dict__, **changes})


def test_nothing_to_export(dataset):
    _, _, options = dataset
    with pytest.raises(ExportError, match="nothing to export"):
        export_dataset([], "kohya", options())


def test_output_containing_the_dataset_is_refused(dataset, tmp_path):
    _, items, options = dataset
    with pytest.raises(ExportError, match="contains the dataset"):
        export_dataset(items, "kohya", options(tmp_path))


def test_foreign_non_empty_folder_is_never_replaced(dataset, tmp_path):
    _, items, options = dataset
    precious = tmp_path / "precious"
    precious.mkdir()
    (precious / "thesis.docx").write_text("irreplaceable")
    with pytest.raises(ExportError, match="not a loraprep export"):
        export_dataset(items, "kohya", options(precious))
    assert (precious / "thesis.docx").read_text() == "irreplaceable"


def test_output_path_that_is_a_file_is_refused(dataset, tmp_path):
    _, items, options = dataset
    target = tmp_path / "file"
    target.write_text("x")
    with pytest.raises(ExportError, match="is a file"):
        export_dataset(items, "kohya", options(target))


def test_empty_output_folder_is_fine(dataset, tmp_path):
    _, items, options = dataset
    (tmp_path / "out").mkdir()
    assert export_dataset(items, "kohya", options()).out_dir == tmp_path / "out"


def test_different_repeats_in_one_group_are_refused(dataset):
    _, items, options = dataset
    bad = items[:1] + [replace(items[1], repeats=7)]
    with pytest.raises(ExportError, match="different repeats"):
        export_dataset(bad, "kohya", options())


def test_zero_repeats_are_refused(dataset):
    _, items, options = dataset
    with pytest.raises(ExportError, match="at least 1"):
        export_dataset([replace(items[0], repeats=0)], "kohya", options())


def test_empty_caption_without_trigger_fails_before_writing(dataset, tmp_path):
    _, items, options = dataset
    with pytest.raises(ExportError, match="caption is empty") as info:
        export_dataset(items, "kohya", options(trigger_words=()))
    assert info.value.hint
    assert sorted(os.listdir(tmp_path)) == ["my lora"]


def test_per_concept_trigger_is_the_fallback(dataset):
    _, items, options = dataset
    report = export_dataset(items, "kohya", options(concept_triggers={"armor (v2)": ("armor knight",)}))
    fallback = next(p for p in report.placed if p.item.image_id == "i5")
    assert fallback.caption == "armor knight" and fallback.caption_fallback


def test_missing_source_is_an_export_error(dataset):
    root, items, options = dataset
    gone = replace(items[0], source=root / "outfit casual" / "gone.jpg")
    with pytest.raises(ExportError, match="gone"):
        export_dataset([gone], "kohya", options())


@pytest.mark.parametrize("bad", [dict(mode="move"), dict(train_preset="dora"), dict(resolution=0),
                                 dict(batch_size=0), dict(keep_tokens=-1), dict(max_bucket_reso=512, resolution=768)])
def test_bad_options(bad, dataset):
    _, items, options = dataset
    with pytest.raises(ExportError):
        export_dataset(items, "kohya", options(**bad))


def test_names_with_spaces_unicode_and_parentheses_survive(dataset):
    root, items, options = dataset
    report = export_dataset(items, "kohya", options())
    folders = sorted(p.name for p in (report.out_dir / "img").iterdir())
    assert folders == ["1_armor_(v2)-supporting", "2_outfit_casual", "3_ゼータ", "5_armor_(v2)-primary"]
    zeta = next(p for p in report.placed if p.item.image_id == "i6")
    assert zeta.relpath.name == "フレーム.png"


def test_unknown_metadata_is_sniffed(dataset):
    _, items, options = dataset
    unknown = [replace(i, fmt="", mode="", has_alpha=False) for i in items]
    report = export_dataset(unknown, "kohya", options())
    by_id = {p.item.image_id: p for p in report.placed}
    assert by_id["i1"].method in ("copy", "reflink") and not by_id["i1"].conversions
    assert "alpha->white" in by_id["i4"].conversions and "webp->png" in by_id["i3"].conversions


def test_report_warns_about_fallbacks_and_default_epochs(dataset):
    _, items, options = dataset
    report = export_dataset(items, "kohya", options(train_preset="lora", epochs=None))
    text = " ".join(report.warnings)
    assert "1 image(s) had an empty caption" in text and "uses 10 epochs" in text


@pytest.mark.parametrize("fmt, reader", [("ai-toolkit", "ai_toolkit"), ("onetrainer", "onetrainer"),
                                         ("simpletuner", "simpletuner"), ("kohya", "kohya")])
def test_trainer_sees_every_image_whatever_its_name(fmt, reader, tmp_path):
    """A concept called _controls (ai-toolkit skips that folder) and -masklabel / -condlabel stems
    (OneTrainer skips those images) reach the trainer all the same."""
    import importlib

    from loraprep.export import ExportItem, ExportOptions
    from tests.conftest import make_image

    root = tmp_path / "ds"
    names = [("_controls", "a-masklabel.png"), ("_controls", "b-condlabel.jpg"), ("concepts.json", "c.png")]
    items = []
    for n, (concept, name) in enumerate(names):
        source = make_image(root / concept / name, (64, 64), fmt="PNG" if name.endswith("png") else "JPEG")
        items.append(ExportItem(f"i{n}", source, concept, "", "zeta, smile", 2, "PNG" if name.endswith("png")
                                else "JPEG", "RGB"))
    report = export_dataset(items, fmt, ExportOptions(tmp_path / "out", root, trigger_words=("zeta",)))
    view = importlib.import_module(f"tests.export.trainers.{reader}").read(report.out_dir)
    assert sorted(s.image.resolve() for s in view.samples) == sorted(
        (report.out_dir / p.relpath).resolve() for p in report.placed)
    assert (report.out_dir / "concepts.json").is_file() or fmt != "onetrainer"
