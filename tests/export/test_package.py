"""The export package's names: each imported from its module on first use; the format names bring no exporter."""

from __future__ import annotations

import importlib
import subprocess
import sys

import loraprep.export as export


def test_the_format_names_load_no_pipeline():
    code = ("import sys; from loraprep.export.registry import format_names; names = format_names(); "
            "print(sorted(m.split('.')[-1] for m in sys.modules if m.startswith('loraprep.export.')), len(names))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    loaded, count = out.rsplit(" ", 1)
    assert eval(loaded) == ["registry"] and int(count) >= 6  # noqa: S307


def test_every_public_name_is_its_modules_object():
    for name in export.__all__:
        assert getattr(export, name) is getattr(importlib.import_module(f"loraprep.export.{export._FROM[name]}"), name)
    from loraprep.export import export_dataset, pipeline
    assert pipeline.export_dataset is export_dataset
