"""The workspace's view API: rows by id, their versions, and what changed since a version."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from loraprep.errors import NotFoundError
from loraprep.ops.edits import EditOp
from loraprep.ops.workspace import Workspace
from tests.ops.sample_helpers import clone, copy_sample, prepare
from tests.ops.test_curate import RECIPE
from tests.ops.test_workspace import random_edit


@pytest.fixture(scope="module")
def prepared(tmp_path_factory) -> Path:
    return prepare(copy_sample(tmp_path_factory.mktemp("view"), recipe=RECIPE))


def shown(ws: Workspace) -> dict:
    return {fid: (ws.row(fid)[:1] + ws.row(fid)[2:], ws.row_version(fid)) for fid in ws.ids()}


def test_a_row_is_what_the_rules_and_scores_say(prepared, tmp_path):
    with Workspace(clone(prepared, tmp_path)) as ws:
        assert ws.ids() and all(ws.has(f) for f in ws.ids()) and not ws.has(max(ws.ids()) + 1)
        for fid in ws.ids():
            row = ws.row(fid)
            assert row.file == ws.file(fid) and row.version == ws.row_version(fid)
            scores = [s for _t, _c, s in ws.scores.get(row.file.image_id, ())]
            assert row.tags == (len(ws.verdict(fid).names) if row.file.image_id else 0)
            assert ws.base_names(fid) == ws.entry(fid).lean.names
            if row.file.image_id and ws.base_names(fid):
                assert 0 < row.confidence <= round(max(scores), 3)
        with pytest.raises(NotFoundError):
            ws.row(max(ws.ids()) + 1)


@pytest.mark.parametrize("seed", range(4))
def test_changed_since_names_every_row_that_changed(prepared, tmp_path, seed):
    rng = random.Random(seed)
    with Workspace(clone(prepared, tmp_path)) as ws:
        start = ws.version
        first = shown(ws)
        for _ in range(5):
            before, at = shown(ws), ws.version
            ws.apply_edit(*random_edit(rng, ws))
            after = shown(ws)
            changed = ws.changed_since(at)
            assert changed is not None and ws.version > at and ws.changed_since(ws.version) == set()
            # a row outside the answer kept its version and its content; one inside it has a new version
            assert all(after[f] == before[f] for f in after if f not in changed)
            assert all(after[f][1] != before[f][1] for f in changed if f in after)
        # across writes: the union of theirs
        assert {f for f in first if shown(ws)[f][0] != first[f][0]} <= ws.changed_since(start)


def test_a_reload_or_threshold_change_means_everything(prepared, tmp_path):
    with Workspace(clone(prepared, tmp_path)) as ws:
        at = ws.version
        ws.set_thresholds(general=0.5)
        assert ws.changed_since(at) is None and ws.changed_since(ws.version) == set()
        at = ws.version
        ws.reload()
        assert ws.changed_since(at) is None


def test_an_old_version_is_answered_everything(prepared, tmp_path, monkeypatch):
    from loraprep.engine import versions as kept

    monkeypatch.setattr(kept, "KEPT_CHANGES", 3)
    with Workspace(clone(prepared, tmp_path)) as ws:
        ids = ws.ids()
        versions = [ws.version]
        for i in range(5):
            ws.apply_edit(EditOp("add", (f"kept tag {i}",)), ids[i % len(ids):][:1])
            versions.append(ws.version)
        assert ws.changed_since(versions[0]) is None
        assert {ids[i % len(ids)] for i in (2, 3, 4)} <= ws.changed_since(versions[-4])
