"""Every config file each format writes, compared byte for byte with tests/export/golden/ (paths templated).

Regenerate after an intended change, then review the diff:
    LORAPREP_UPDATE_GOLDEN=1 .venv/bin/python -m pytest tests/export/test_golden.py
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from loraprep.export import FORMATS, export_dataset

GOLDEN = Path(__file__).parent / "golden"


def templated(text: str, out: Path, root: Path) -> str:
    return text.replace(str(out), "{OUT}").replace(str(root), "{DATASET}")


@pytest.mark.parametrize("fmt", list(FORMATS))  # the formats that place images (parquet: test_parquet.py)
def test_configs_match_golden_files(fmt, dataset):
    root, items, options = dataset
    preset = "lora" if fmt == "kohya" else None
    opts = options(train_preset=preset, base_model="/models/base.safetensors", mode="copy")
    report = export_dataset(items, fmt, opts)
    for name in [*report.config_files, "export.json"]:
        actual = templated((report.out_dir / name).read_text(encoding="utf-8"), report.out_dir, root)
        golden = GOLDEN / fmt / name
        if os.environ.get("LORAPREP_UPDATE_GOLDEN"):
            golden.parent.mkdir(parents=True, exist_ok=True)
            golden.write_text(actual, encoding="utf-8")
        assert golden.is_file(), f"missing golden file {golden}; set LORAPREP_UPDATE_GOLDEN=1 to create it"
        assert actual == golden.read_text(encoding="utf-8"), f"{fmt}/{name} differs from its golden file"
