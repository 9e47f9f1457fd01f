"""The trainer's-eye properties: every export read the way its trainer reads it (tests/export/trainers/).

For generated datasets (names, sizes, separators, keep_tokens_separator, shuffling, resolutions): the trainer
enumerates exactly the exported images; the fixed tags (trigger first) lead every processed caption in all
draws of the trainer's own shuffle; no tag is merged or split; images per epoch (and kohya's bucketed steps
per epoch) equal loraprep's plan; no config value is one the trainer refuses.
"""

from __future__ import annotations

import random
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings

from loraprep.export import FORMATS, export_dataset
from tests.export import generated
from loraprep.errors import ExportError
from tests.export.trainers import parse_tags
from tests.export.trainers import ai_toolkit, hf, kohya, kohya_finetune, onetrainer, simpletuner

READERS = {"kohya": kohya.read, "kohya-finetune": kohya_finetune.read, "onetrainer": onetrainer.read,
           "ai-toolkit": ai_toolkit.read, "simpletuner": simpletuner.read}
DRAWS = 40  # per image and example: shuffles the trainer would make
EXAMPLES = {"hf": 4}  # the real `datasets` loader is slower; the others run more examples


@pytest.fixture(scope="module")
def image_cache(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("trainer-eye-images")


@pytest.fixture(autouse=True)
def offline(monkeypatch):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("HF_DATASETS_OFFLINE", "1")


def read_export(fmt: str, out: Path, scratch: Path):
    return hf.read(out, scratch / "hf-cache") if fmt == "hf" else READERS[fmt](out)


def refusal(fmt: str, spec: generated.Spec) -> str | None:
    """The delimiter a tag may not hold in this format's shuffle (where the trainer has no way to keep it
    whole), or None: kohya writes such a tag with secondary_separator, unshuffled captions pass as written."""
    if not spec.shuffle:
        return None
    return {"onetrainer": spec.separator.strip() or ",", "simpletuner": ",",
            "ai-toolkit": "," if spec.ai_shuffle else None}.get(fmt)


def check_export(fmt: str, spec: generated.Spec, cache: Path) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        scratch = Path(tmp)
        items, options, plan, expected = generated.build(spec, scratch / "data set", cache)
        delimiter = refusal(fmt, spec)
        held = {i.image_id: i for i in items if delimiter and any(delimiter in t for t in sum(expected[i.image_id], ()))}
        if held:
            with pytest.raises(ExportError) as refused:
                export_dataset(items, fmt, options)
            # The error names the image and the tag, before anything is written.
            assert any(str(i.source) in refused.value.message for i in held.values()), refused.value.message
            assert any(repr(t) in refused.value.message for i in held for t in sum(expected[i], ()))
            assert not options.out_dir.exists()
            return
        report = export_dataset(items, fmt, options)
        view = read_export(fmt, report.out_dir, scratch)

        exported = {(report.out_dir / p.relpath).resolve(): p for p in report.placed}
        assert {s.image.resolve() for s in view.samples} == set(exported), "the trainer sees other images"
        rng = random.Random(0)
        keeps_first = not (fmt == "ai-toolkit" and spec.ai_shuffle and spec.shuffle)  # opted in: documented
        for sample in view.samples:
            fixed, other = expected[exported[sample.image.resolve()].item.image_id]
            pinned = view.pinned(sample)
            if pinned is not None and keeps_first and other:
                # Exactly the kept prefix is pinned: not the next tag of an image that lost a fixed tag.
                assert pinned == len(fixed), f"{fmt}: pins {pinned} tags of {fixed + other}"
            for _ in range(DRAWS):
                drawn = view.draw(sample, rng)
                seen = parse_tags(drawn, fixed + other)
                assert seen is not None, f"{fmt}: tags merged, split or lost: {drawn!r} for {fixed + other}"
                if keeps_first:
                    assert seen[:len(fixed)] == list(fixed), f"{fmt}: fixed tags moved: {seen}"
        assert view.images_per_epoch == plan.images_per_epoch
        if view.steps_per_epoch is not None:
            assert view.steps_per_epoch(spec.batch) == plan.steps_per_epoch


@pytest.mark.parametrize("fmt", list(FORMATS))  # the formats that place images (parquet: test_parquet.py)
def test_trainer_reads_what_loraprep_planned(fmt, image_cache):
    @settings(max_examples=EXAMPLES.get(fmt, 12), deadline=None, derandomize=True,
              suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
    @given(generated.specs())
    def run(spec):
        check_export(fmt, spec, image_cache)

    run()
