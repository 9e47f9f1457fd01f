"""The parquet export streamed a page of files at a time equals the export from the whole workspace, and no page
holds more than its size."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from loraprep.engine import workspace as engine_workspace
from loraprep.export.parquet import PARQUET_NAME
from loraprep.export.swap import MARKER
from loraprep.ops.export import export
from loraprep.ops.export_stream import export_streamed
from loraprep.ops.workspace import Workspace
from loraprep.store import pages
from tests.conftest import make_image
from tests.ops.sample_helpers import clone, copy_sample, prepare

# drop_all_core: each caption depends on its concept's core tags, counted over images in other pages.
RECIPE = """\
trigger = ["lpstream"]

[tagger]
model = "../tiny_tagger"

[rules]
core_frequency = 0.5
drop_all_core = true

[concepts.outfit_blue]
fixed = ["blue outfit"]
"""


@pytest.fixture(scope="module")
def prepared(tmp_path_factory) -> Path:
    root = copy_sample(tmp_path_factory.mktemp("stream"), recipe=RECIPE)
    make_image(root / "outfit_red" / "best" / "tier shot.png", (640, 960), color=(230, 30, 30))
    make_image(root / "outfit_red" / "Ünïcode name, with comma.png", (900, 700), color=(30, 200, 30))
    return prepare(root, dedup=False)


def _read(out: Path) -> tuple[list[dict], dict]:
    import pyarrow.parquet as pq

    rows = pq.read_table(out / PARQUET_NAME).to_pylist()
    report = json.loads((out / MARKER).read_text(encoding="utf-8"))
    return rows, {k: report[k] for k in ("counts", "groups")}


@pytest.mark.parametrize("page", [1, 4, 10_000])
def test_streamed_parquet_equals_the_whole_workspace_export(prepared, tmp_path, page):
    sample = clone(prepared, tmp_path / "set")
    with Workspace(sample) as ws:  # one image excluded: streamed pages skip it as the workspace does
        first = ws.files_by_path()[3]
        ws.store.conn.execute("UPDATE files SET status='excluded', reason='user' WHERE id=?", (first.id,))
    with Workspace(sample) as ws:
        whole = export(sample, tmp_path / "whole", fmt="parquet", workspace=ws)
    streamed = export_streamed(sample, tmp_path / "streamed", fmt="parquet", page=page)
    assert _read(tmp_path / "streamed") == _read(tmp_path / "whole")
    rows, _ = _read(tmp_path / "streamed")
    assert first.path not in {r["file_name"] for r in rows} and len(rows) > 30
    assert any("core" in r["caption"] or r["tags"] for r in rows)
    assert streamed["plan"] == whole["plan"]


def test_export_reads_no_more_than_a_page_at_a_time(prepared, tmp_path, monkeypatch):
    sample = clone(prepared, tmp_path / "set")
    loaded: list[int | None] = []
    reload = engine_workspace.Workspace.reload

    def counting(self):
        loaded.append(None if self.only is None else len(self.only))
        reload(self)

    monkeypatch.setattr(engine_workspace.Workspace, "reload", counting)
    export_streamed(sample, tmp_path / "out", fmt="parquet", page=5)
    assert None not in loaded  # never the whole dataset
    assert max(loaded) == 5 and sum(1 for n in loaded if n) > 6
    loaded.clear()
    export(sample, tmp_path / "cli", fmt="parquet", replace=True)  # what the CLI calls streams too
    assert loaded and None not in loaded and max(loaded) <= pages.PAGE
