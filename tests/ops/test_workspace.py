"""The Workspace's in-memory updates after edits, undo and redo equal a fresh read of the store."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from loraprep.ops.edits import EditOp
from loraprep.ops.workspace import Workspace
from loraprep.store import journal
from tests.ops.sample_helpers import clone, copy_sample, prepare
from tests.ops.test_curate import RECIPE


@pytest.fixture(scope="module")
def prepared(tmp_path_factory) -> Path:
    return prepare(copy_sample(tmp_path_factory.mktemp("workspace"), recipe=RECIPE))


def snapshot(ws: Workspace) -> dict:
    """Everything bulk reads show: each file's record, base, verdict and caption, and the concept counts."""
    files = {}
    for fid in sorted(ws.entries):
        e = ws.entry(fid)
        lean = e.lean
        files[fid] = (e.file.status, e.file.concept, e.file.tier, lean.names, lean.pinned, lean.removed,
                      ws.verdict(fid).names, ws.caption(fid) if e.file.image_id else "")
    stats = {c: (s.images, dict(s.counts), s.core) for c, s in ws.concept_stats().items() if s is not None}
    return {"files": files, "stats": stats}


def random_edit(rng: random.Random, ws: Workspace) -> tuple[EditOp, list[int]]:
    vocab = sorted({n for e in ws.entries.values() for n in e.lean.names}) + ["lpsample", "red outfit", "fresh tag"]
    ids = sorted(ws.entries)
    chosen = rng.sample(ids, rng.randint(1, len(ids)))
    kind = rng.choice(["add", "remove", "remove", "replace", "consolidate", "pin", "unpin", "exclude", "include",
                       "concept", "tier"])
    tags = rng.sample(vocab, rng.randint(1, 3))
    if kind in ("replace", "consolidate"):
        return EditOp(kind, tuple(tags), rng.choice(vocab)), chosen
    if kind == "concept":
        return EditOp(kind, target=rng.choice(["outfit_red", "outfit_blue", "elsewhere"])), chosen
    if kind == "tier":
        return EditOp(kind, target=rng.choice(["", "best"])), chosen
    if kind in ("exclude", "include"):
        return EditOp(kind), chosen
    return EditOp(kind, tuple(tags)), chosen


@pytest.mark.parametrize("seed", range(10))
def test_random_edits_undo_and_redo_match_a_fresh_workspace(prepared, tmp_path, seed):
    root = clone(prepared, tmp_path)
    rng = random.Random(seed)
    with Workspace(root) as ws:
        if seed % 2:
            ws.concept_stats()  # counts kept up to date from the start; otherwise first built after some edits
        for step in range(14):
            action = rng.random()
            if action < 0.2:
                try:
                    ws.undo()
                except Exception:
                    pass
            elif action < 0.3:
                try:
                    ws.redo()
                except Exception:
                    pass
            else:
                ws.apply_edit(*random_edit(rng, ws))
            if step % 4 == 3 or step == 13:
                with Workspace(root) as fresh:
                    assert snapshot(ws) == snapshot(fresh), f"seed {seed}, step {step}"
                    # the per-tag sets batch edits decide on, kept up to date by each write, equal a fresh look
                    for tag in sorted(ws.showing):
                        assert ws.images_showing(tag) == {
                            e.file.image_id for e in fresh.entries.values() if tag in e.lean.names}, tag
            # and they are asked for before the next edit, so the next writes must move them
            for tag in rng.sample(sorted({n for e in ws.entries.values() for n in e.lean.names}), 3):
                ws.images_showing(tag)


def test_a_batch_edit_is_recorded_as_operation_sets(prepared, tmp_path):
    root = clone(prepared, tmp_path)
    with Workspace(root) as ws:
        ids = sorted(ws.entries)
        # the fixed slot "red outfit" is on every outfit_red image: a rule put it there, the user may remove it
        having = {ws.entry(f).file.image_id for f in ids if "red outfit" in ws.verdict(f).names}
        assert having
        result = ws.apply_edit(EditOp("replace", ("red outfit",), "crimson outfit"), ids)
        conn = ws.store.conn
        rows = conn.execute("SELECT tag, op, count FROM tag_op_sets WHERE batch_id=? ORDER BY seq",
                            (result["batch_id"],)).fetchall()
        assert [tuple(r) for r in rows] == [("red outfit", "remove", len(having)),
                                           ("crimson outfit", "add", len(having))]
        assert conn.execute("SELECT COUNT(*) FROM tag_ops WHERE batch_id=?", (result["batch_id"],)).fetchone()[0] == 0
        assert journal.history(ws.store, batch_id=result["batch_id"])[0].tag_ops == 2 * len(having)
        assert journal.batch_scope(conn, result["batch_id"])[0] == having
