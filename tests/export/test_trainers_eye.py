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

from loraprep.export import export_dataset, format_names
from tests.export import generated
from tests.export.trainers import tags_of
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


def check_export(fmt: str, spec: generated.Spec, cache: Path) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        scratch = Path(tmp)
        items, options, plan, expected = generated.build(spec, scratch / "data set", cache)
        report = export_dataset(items, fmt, options)
        view = read_export(fmt, report.out_dir, scratch)

        exported = {(report.out_dir / p.relpath).resolve(): p for p in report.placed}
        assert {s.image.resolve() for s in view.samples} == set(exported), "the trainer sees other images"
        rng = random.Random(0)
        for sample in view.samples:
            fixed, other = expected[exported[sample.image.resolve()].item.image_id]
            for _ in range(DRAWS):
                seen = tags_of(view.draw(sample, rng))
                assert seen[:len(fixed)] == list(fixed), f"{fmt}: fixed tags moved: {seen}"
                assert sorted(seen) == sorted(fixed + other), f"{fmt}: tags merged, split or lost: {seen}"
        assert view.images_per_epoch == plan.images_per_epoch
        if view.steps_per_epoch is not None:
            assert view.steps_per_epoch(spec.batch) == plan.steps_per_epoch


@pytest.mark.parametrize("fmt", format_names())
def test_trainer_reads_what_loraprep_planned(fmt, image_cache):
    @settings(max_examples=EXAMPLES.get(fmt, 12), deadline=None, derandomize=True,
              suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
    @given(generated.specs())
    def run(spec):
        check_export(fmt, spec, image_cache)

    run()
