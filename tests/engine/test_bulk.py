"""The packed read holds every active file's tags before rules as the Workspace does, and the same concept counts."""

from __future__ import annotations

import pytest

from loraprep.engine.bulk import BulkRead
from loraprep.ops.recipe import load_dataset_recipe
from loraprep.ops.workspace import Workspace
from loraprep.store.db import open_store
from tests.ops.test_curate_counts import RECIPES, build_store


@pytest.mark.parametrize("recipe", sorted(RECIPES))
def test_each_files_tags_before_rules_and_the_counts_are_the_workspaces(tmp_path, recipe):
    root = build_store(tmp_path / "data", RECIPES[recipe], seed=5)
    with open_store(root) as store, Workspace(root) as ws:
        bulk = BulkRead(store, load_dataset_recipe(root))
        active = ws.files(statuses=("active",))
        assert bulk.files.ids == [f.id for f in active] and bulk.files.paths == [f.path for f in active]
        for at, f in enumerate(active):
            want, got = ws.entry(f.id).lean, bulk.lean(at)
            assert (got, got.sources, got.origins) == (want, want.sources, want.origins), f.path
        assert {c: (s.images, dict(s.counts), s.core) for c, s in bulk.concept_stats().items()} == \
            {c: (s.images, dict(s.counts), s.core) for c, s in ws.concept_stats().items()}
        assert bulk.imported and len(bulk.leans) < len(active)   # imports merged on arrays, edits by lean_base


def test_thresholds_asked_now_change_what_passes(tmp_path):
    root = build_store(tmp_path / "data", RECIPES["defaults"], seed=6)
    with open_store(root) as store, Workspace(root) as ws:
        bulk = BulkRead(store, load_dataset_recipe(root), threshold_changes={"general": 0.7, "mcut": True})
        ws.set_thresholds(general=0.7, mcut=True)
        for at, f in enumerate(ws.files(statuses=("active",))):
            assert bulk.lean(at) == ws.entry(f.id).lean
