"""The parquet export: one metadata.parquet of captions, tags and image paths, written streaming; images stay put.

For datasets too big to copy (a million images): no image is copied or linked; each row names its image by the
path relative to the dataset folder and by its absolute path. Two readers are checked against their source:

- SimpleTuner, caption_strategy "parquet" (simpletuner/helpers/metadata/backends/parquet.py,
  ParquetMetadataBackend.load_parquet_database / _extract_captions_to_fast_list / _process_for_bucket, and
  helpers/prompts.py PromptHandler.prepare_instance_prompt_from_parquet): it reads the file with pandas, indexes it
  by ``filename_column``, takes the caption from ``caption_column`` and the size from ``width_column`` /
  ``height_column`` (default "width" / "height", read without opening the image). With
  ``identifier_includes_extension: true`` both the bucket pass and the caption lookup use the image's path
  relative to ``instance_data_dir`` with its extension, which is ``file_name`` here when ``instance_data_dir`` is
  the dataset folder (without it the bucket pass keys on the bare file stem, which collides across folders).
- Hugging Face ``datasets.load_dataset("parquet", data_files=...)``: any parquet file; every column becomes a
  feature (``tags`` a list of strings).

Rows go out in row groups as they come, so memory does not grow with the number of images.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Iterable, Iterator

from loraprep.errors import ExportError

PARQUET_NAME = "metadata.parquet"
SIMPLETUNER_NAME = "simpletuner-backend.json"
ROW_GROUP = 10_000  # rows held at once (as dicts, then columns): the export's memory, whatever the dataset's size
COLUMNS = ("file_name", "image_path", "caption", "tags", "concept", "tier", "repeats", "width", "height",
           "image_id")


def _pyarrow():
    try:
        import pyarrow
        import pyarrow.parquet
    except ImportError as exc:
        raise ExportError("the parquet export needs pyarrow, which is not installed",
                          hint="pip install 'loraprep[parquet]' (or pip install pyarrow)") from exc
    return pyarrow


def schema():
    pa = _pyarrow()
    return pa.schema([("file_name", pa.string()), ("image_path", pa.string()), ("caption", pa.string()),
                      ("tags", pa.list_(pa.string())), ("concept", pa.string()), ("tier", pa.string()),
                      ("repeats", pa.int32()), ("width", pa.int32()), ("height", pa.int32()),
                      ("image_id", pa.string())])


def write_rows(rows: Iterable[dict], path: Path, *, row_group: int = ROW_GROUP) -> int:
    """Write ``rows`` (dicts with COLUMNS) to ``path`` one row group at a time; the number of rows written.
    The caller writes into a staged folder that is swapped in whole, so a failed run leaves nothing half-done."""
    pa = _pyarrow()
    table_schema = schema()
    written = 0
    with pa.parquet.ParquetWriter(str(path), table_schema, compression="zstd") as writer:
        for chunk in _chunks(rows, row_group):
            columns = {name: [row[name] for row in chunk] for name in COLUMNS}
            writer.write_batch(pa.RecordBatch.from_pydict(columns, schema=table_schema), row_group_size=row_group)
            written += len(chunk)
    return written


def _chunks(rows: Iterable[dict], size: int) -> Iterator[list[dict]]:
    chunk: list[dict] = []
    for row in rows:
        chunk.append(row)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def simpletuner_backend(dataset_root: Path, parquet_path: Path, resolution: int) -> list[dict]:
    """A SimpleTuner multidatabackend.json entry that reads the captions from the parquet and the images in place
    (keys as SimpleTuner's data backend config reads them: parquet.path, filename_column, caption_column, ...)."""
    return [{
        "id": f"loraprep-{dataset_root.name or 'dataset'}",
        "type": "local",
        "instance_data_dir": str(dataset_root),
        "caption_strategy": "parquet",
        "metadata_backend": "parquet",
        "parquet": {"path": str(parquet_path), "filename_column": "file_name", "caption_column": "caption",
                    "width_column": "width", "height_column": "height", "identifier_includes_extension": True},
        "resolution": resolution,
        "resolution_type": "pixel_area",
        "minimum_image_size": min(resolution, 256),
        "cache_dir_vae": "cache/vae",
    }]


def write_simpletuner_backend(folder: Path, final_parquet: Path, dataset_root: Path, resolution: int) -> Path:
    path = folder / SIMPLETUNER_NAME
    text = json.dumps(simpletuner_backend(dataset_root, final_parquet, resolution), indent=2, ensure_ascii=False)
    path.write_text(text + "\n", encoding="utf-8")
    return path


def export_parquet(rows: Iterable[dict], out_dir: Path, dataset_root: Path, *, resolution: int,
                   replace: bool = False) -> dict:
    """Write metadata.parquet (+ SimpleTuner's backend entry, the report and the manifest) into ``out_dir``,
    replaced atomically as every export is; the report counts images per concept and tier, it lists none."""
    from loraprep.export.manifest import write_manifest
    from loraprep.export.report import REPORT_VERSION
    from loraprep.export.swap import MARKER, resolve_output, staged_folder

    _pyarrow()  # say that pyarrow is missing before anything is staged
    out = resolve_output(out_dir, dataset_root)
    groups: dict[tuple[str, str], list[int]] = {}

    def counted(source: Iterable[dict]) -> Iterator[dict]:
        for row in source:
            group = groups.setdefault((row["concept"], row["tier"]), [row["repeats"], 0])
            group[1] += 1
            yield row

    with staged_folder(out, replace) as staging:
        images = write_rows(counted(rows), staging.path / PARQUET_NAME)
        if not images:
            raise ExportError("nothing to export: no active images", hint="check `loraprep plan DATASET` first")
        write_simpletuner_backend(staging.path, out / PARQUET_NAME, dataset_root, resolution)
        report = {
            "loraprep_export": REPORT_VERSION, "format": "parquet", "out_dir": str(out),
            "train_command": f"SimpleTuner: add the entry of {out / SIMPLETUNER_NAME} to multidatabackend.json; "
                             f"Hugging Face: datasets.load_dataset('parquet', data_files='{out / PARQUET_NAME}')",
            "counts": {"images": images, "link": 0, "reflink": 0, "copy": 0, "convert": 0, "caption_fallback": 0},
            "config_files": [PARQUET_NAME, SIMPLETUNER_NAME],
            "groups": [{"concept": c, "tier": t, "repeats": r, "folder": "", "images": n}
                       for (c, t), (r, n) in sorted(groups.items())],
            "images": [], "warnings": list(staging.warnings),
        }
        (staging.path / MARKER).write_text(json.dumps(report, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
        write_manifest(staging.path, linked=(), cache_dirs=())
    return report

