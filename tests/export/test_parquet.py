"""export --format parquet: read back as Hugging Face datasets and SimpleTuner read it; streamed; atomic."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import pytest

from loraprep.errors import ExportError
from loraprep.export import parquet
from loraprep.ops.export import export
from loraprep.ops.workspace import Workspace
from tests.conftest import make_image
from tests.ops.sample_helpers import copy_sample, prepare

IMAGE_SUFFIXES = (".jpg", ".jpeg", ".png", ".webp")


@pytest.fixture(scope="module")
def exported(tmp_path_factory):
    """The sample, tagged, with one image excluded and one in a tier folder, exported as parquet."""
    base = tmp_path_factory.mktemp("parquet")
    root = copy_sample(base)
    make_image(root / "outfit_red" / "best" / "extra shot.png", (700, 900), color=(240, 20, 20))
    prepare(root, dedup=False)
    with Workspace(root) as ws:
        first = ws.files_by_path()[0]
        ws.store.conn.execute("UPDATE files SET status='excluded', reason='user' WHERE id=?", (first.id,))
    with Workspace(root) as ws:
        expected = {f.path: (ws.caption(f.id), f) for f in ws.files(statuses=("active",))}
    report = export(root, base / "out", fmt="parquet")
    return root, base / "out", expected, first.path, report


def test_datasets_reads_every_active_image_with_its_caption(exported, tmp_path, monkeypatch):
    datasets = pytest.importorskip("datasets")
    root, out, expected, excluded, report = exported
    monkeypatch.setenv("HF_DATASETS_OFFLINE", "1")
    ds = datasets.load_dataset("parquet", data_files=str(out / parquet.PARQUET_NAME), split="train",
                               cache_dir=str(tmp_path / "hf-cache"))
    assert ds.num_rows == len(expected) == report["counts"]["images"]
    assert ds.features["tags"].feature.dtype == "string"
    for row in ds:
        caption, f = expected[row["file_name"]]
        assert row["caption"] == caption and row["caption"].strip()
        assert row["tags"] and row["caption"].startswith(row["tags"][0])
        assert Path(row["image_path"]) == root / row["file_name"] and Path(row["image_path"]).is_file()
        assert (row["concept"], row["tier"], row["width"], row["height"]) == (f.concept, f.tier, f.width, f.height)
        assert row["repeats"] >= 1
    assert excluded not in {row["file_name"] for row in ds}
    assert any(row["tier"] == "best" for row in ds)


def test_simpletuner_parquet_backend_finds_each_image_caption_and_size(exported):
    """SimpleTuner's lookups reproduced: factory.py configure_parquet_database (columns present, no null or empty
    value), metadata/backends/parquet.py load_parquet_database (pandas, index = filename_column),
    _extract_captions_to_fast_list (file_id = the column's value, extension kept when
    identifier_includes_extension), _process_for_bucket (key = image path minus instance_data_dir, leading '/'
    stripped; width/height from width_column/height_column) and prompts.py prepare_instance_prompt_from_parquet
    (the same key into the caption cache)."""
    pd = pytest.importorskip("pandas")
    root, out, expected, excluded, _report = exported
    backend = json.loads((out / parquet.SIMPLETUNER_NAME).read_text(encoding="utf-8"))[0]
    assert backend["caption_strategy"] == backend["metadata_backend"] == "parquet"
    config = backend["parquet"]
    assert config["identifier_includes_extension"] is True
    df = pd.read_parquet(config["path"], engine="pyarrow")
    for column in (config["caption_column"], config["filename_column"]):
        assert column in df.columns and df[column].notna().all() and (df[column].str.len() > 0).all()
    df = df.set_index(config["filename_column"])
    captions = {str(index): str(row[config["caption_column"]]).strip() for index, row in df.iterrows()}
    instance_data_dir = backend["instance_data_dir"]
    found, skipped = 0, []
    for dirpath, dirnames, names in os.walk(instance_data_dir):
        dirnames[:] = [d for d in dirnames if not d.startswith(".")]
        for name in names:
            if not name.lower().endswith(IMAGE_SUFFIXES):
                continue
            key = os.path.join(dirpath, name).replace(instance_data_dir, "")
            key = key[1:] if key.startswith("/") else key
            if key not in expected:  # excluded or undecodable: SimpleTuner skips it (metadata_missing)
                assert key not in df.index
                skipped.append(key)
                continue
            row = df.loc[key]
            assert captions[key] == expected[key][0]
            assert (row[config["width_column"]], row[config["height_column"]]) == (expected[key][1].width,
                                                                                    expected[key][1].height)
            found += 1
    assert found == len(expected) and excluded in skipped


def test_rows_stream_in_row_groups(tmp_path):
    pq = pytest.importorskip("pyarrow.parquet")
    rows = ({"file_name": f"c/{i}.png", "image_path": f"/d/c/{i}.png", "caption": f"tag {i}", "tags": [f"tag {i}"],
             "concept": "c", "tier": "", "repeats": 3, "width": 512 + i, "height": 640, "image_id": f"{i:064x}"}
            for i in range(23))
    assert parquet.write_rows(rows, tmp_path / "m.parquet", row_group=10) == 23
    meta = pq.ParquetFile(tmp_path / "m.parquet").metadata
    assert (meta.num_rows, meta.num_row_groups) == (23, 3)


def test_a_failed_export_leaves_the_previous_one_whole(exported, tmp_path):
    pytest.importorskip("pyarrow")
    root, out, _expected, _excluded, _report = exported
    target = tmp_path / "again"
    export(root, target, fmt="parquet")
    before = (target / parquet.PARQUET_NAME).read_bytes()

    def broken():
        yield {"file_name": "a.png", "image_path": "/a.png", "caption": "x", "tags": ["x"], "concept": "c",
               "tier": "", "repeats": 1, "width": 1, "height": 1, "image_id": "a"}
        raise OSError("disk gone")

    with pytest.raises(OSError):
        parquet.export_parquet(broken(), target, root, resolution=768)
    assert (target / parquet.PARQUET_NAME).read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["again"]  # no staging folder left beside it


def test_without_pyarrow_the_error_says_what_to_install(exported, tmp_path, monkeypatch):
    root = exported[0]
    monkeypatch.setitem(sys.modules, "pyarrow", None)
    with pytest.raises(ExportError) as caught:
        export(root, tmp_path / "nope", fmt="parquet")
    assert "pyarrow" in caught.value.message and "loraprep[parquet]" in caught.value.hint
    assert not (tmp_path / "nope").exists()
