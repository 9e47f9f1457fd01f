"""run(): the whole workflow on a fresh copy of the sample, its summary, and an incremental second run."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from loraprep.errors import ExportError
from loraprep.ops.plan import plan
from loraprep.ops.run import run
from loraprep.store.db import open_store
from loraprep.store.runs import last_run
from tests.ops.sample_helpers import captions, copy_sample


def exported(out: Path) -> dict[str, str]:
    """Source path (relative to its dataset) -> exported caption, from the export report."""
    report = json.loads((out / "export.json").read_text(encoding="utf-8"))
    return {_relative(Path(i["source"])): i["caption"] for i in report["images"]}


def _relative(source: Path) -> str:
    """concept/name, or .loraprep/derived/name for a crop: the path the store knows the file by."""
    parts = source.parts
    return "/".join(parts[parts.index(".loraprep"):] if ".loraprep" in parts else parts[-2:])


def test_run_end_to_end_then_incremental(tmp_path, source_guard):
    root = source_guard(copy_sample(tmp_path))
    out = tmp_path / "out"
    stages: list[str] = []
    summary = run(root, out, on_stage=stages.append)
    assert stages == ["scan", "detect", "crop", "dedup", "tag", "classify", "curate", "export"]  # [crop], [classify] on
    # 36 files + 3 group pictures; 6 crops of their characters are tagged and exported like any picture
    assert (summary["images"], summary["failed"], summary["duplicates_excluded"], summary["tagged"],
            summary["exported"], summary["crops_made"]) == (39, 1, 2, 42, 42, 6)
    assert summary["format"] == "kohya" and summary["output"] == str(out.resolve())
    assert summary["model"].startswith("tiny_tagger@") and summary["tag_failed"] == 0
    assert [f["path"] for f in summary["failures"]] == ["outfit_blue/blue_10_corrupt.jpg"]
    the_plan = plan(root)
    assert summary["repeats"] == {r["concept"]: r["repeats"] for r in the_plan["rows"]}
    assert (summary["epochs"], summary["total_steps"]) == (the_plan["epochs"], the_plan["total_steps"])
    assert summary["total_steps"] >= 1500
    first = captions(root)
    assert exported(out) == first
    assert (out / "dataset.toml").is_file()

    again = run(root, out)
    assert again["tagged"] == 0 and again["tag_skipped"] == 42 and again["exported"] == 42
    assert again["duplicates_excluded"] == 2 and again["images"] == 45 and again["crops_made"] == 0
    with open_store(root) as store:
        assert last_run(store, "scan")["counts"]["read"] == 0  # nothing re-read: the files did not change
    assert exported(out) == first


def test_run_refuses_an_output_inside_the_dataset_before_touching_anything(tmp_path):
    root = copy_sample(tmp_path)
    with pytest.raises(ExportError, match="inside the dataset"):
        run(root, root / "export")
    assert not (root / ".loraprep").exists() and not (root / "export").exists()
