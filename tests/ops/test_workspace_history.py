"""Set-based edits and undo/redo mixed with curate, scans and thresholds: the Workspace equals a fresh read."""

from __future__ import annotations

from pathlib import Path

import pytest

from loraprep import ops
from loraprep.ops.edits import EditOp
from loraprep.ops.workspace import Workspace
from tests.ops.sample_helpers import clone, copy_sample, prepare
from tests.ops.test_curate import RECIPE
from tests.ops.test_workspace import snapshot


@pytest.fixture(scope="module")
def prepared(tmp_path_factory) -> Path:
    return prepare(copy_sample(tmp_path_factory.mktemp("review3"), recipe=RECIPE))


def _file_of(ws: Workspace, path: str) -> int:
    return next(f.id for f in ws.files() if f.path == path)


def test_undo_after_a_caption_import_keeps_the_caption_file_order(prepared, tmp_path):
    """The user adds a tag, the caption file then gains two tags (that one last) and scan imports them; undoing
    the user's edit leaves the tag imported, and the caption must list the imports in file order."""
    root = clone(prepared, tmp_path)
    with Workspace(root) as ws:
        fid = _file_of(ws, "outfit_red/red_01.jpg")
        ws.apply_edit(EditOp("add", ("zz later",)), [fid])
        caption_file = root / "outfit_red" / "red_01.txt"
        caption_file.write_text("red theme, circle, white background, zz first, zz later", encoding="utf-8")
        ops.scan(root)  # another process's write: the workspace reloads on its next step
        ws.undo()
        with Workspace(root) as fresh:
            assert ws.entry(fid).lean.names == fresh.entry(fid).lean.names
            assert ws.caption(fid) == fresh.caption(fid)
            assert snapshot(ws) == snapshot(fresh)


def _compare(ws: Workspace, root: Path, where: str) -> None:
    with Workspace(root) as fresh:
        if ws.thresholds != fresh.thresholds:
            t = ws.thresholds
            fresh.set_thresholds(general=t.general, character=t.character, mcut=t.mcut,
                                 include_rating=t.include_rating)
        assert snapshot(ws) == snapshot(fresh), where
        for tag in sorted(ws.showing):
            assert ws.images_showing(tag) == {
                e.file.image_id for e in fresh.entries.values() if e.file.image_id and tag in e.lean.names}, \
                (where, tag)


@pytest.mark.parametrize("seed", range(8))
def test_edits_mixed_with_curate_scans_and_thresholds_match_a_fresh_workspace(prepared, tmp_path, seed):
    """Random edits, undo and redo, interleaved with what other commands write (curate, caption imports) and
    threshold changes: after each step the workspace equals a fresh one."""
    import random

    from tests.ops.test_workspace import random_edit

    root = clone(prepared, tmp_path)
    rng = random.Random(1000 + seed)
    captions = sorted(p for p in root.rglob("*") if p.suffix in (".txt", ".caption"))
    with Workspace(root) as ws:
        ws.concept_stats()
        for step in range(14):
            action = rng.random()
            for tag in rng.sample(sorted({n for e in ws.entries.values() for n in e.lean.names}), 3):
                ws.images_showing(tag)
            if action < 0.15:
                try:
                    ws.undo()
                except Exception:
                    pass
            elif action < 0.25:
                try:
                    ws.redo()
                except Exception:
                    pass
            elif action < 0.35:
                from loraprep.ops.curate import curate

                curate(root, write=True)
                ws.refresh()
            elif action < 0.45:
                target = rng.choice(captions)
                words = ["zz one", "zz two", "red theme", "circle", "lpsample"]
                target.write_text(", ".join(rng.sample(words, rng.randint(1, 4))), encoding="utf-8")
                ops.scan(root)
                ws.refresh()
            elif action < 0.5:
                ws.set_thresholds(general=rng.choice([0.2, 0.35, 0.5]))
            else:
                ws.apply_edit(*random_edit(rng, ws))
            _compare(ws, root, f"seed {seed} step {step} action {action:.2f}")


def test_redo_puts_back_the_added_tags_in_the_order_they_were_added(prepared, tmp_path):
    """Undo then redo of ``add`` of several new tags: the tags come back in the edit's order (the order a fresh
    replay gives, and the caption's order for user-added tags), not in the order of a Python set."""
    root = clone(prepared, tmp_path)
    added = tuple(f"zz added {c}" for c in "abcdefgh")
    with Workspace(root) as ws:
        fid = _file_of(ws, "outfit_red/red_01.jpg")
        ws.apply_edit(EditOp("add", added), [fid])
        first = ws.entry(fid).lean.names
        assert [n for n in first if n in added] == list(added)
        ws.undo()
        ws.redo()
        with Workspace(root) as fresh:
            assert fresh.entry(fid).lean.names == first
            assert [n for n in ws.entry(fid).lean.names if n in added] == list(added)
            assert ws.caption(fid) == fresh.caption(fid)
