"""classify() on the sample: reference characters and unknown clusters against the sample's ground truth, stored
embeddings (a new reference costs no re-embedding), the user's word, undo, and concept moves."""

from __future__ import annotations

import importlib.util
import shutil
import sys
from pathlib import Path

import pytest

from loraprep import ops
from loraprep.ops.history import step
from loraprep.ops.workspace import Workspace
from tests.ops.sample_helpers import REPO, copy_sample, db, prepare

_spec = importlib.util.spec_from_file_location("loraprep_make_sample_cls", REPO / "examples" / "make_sample.py")
make_sample = importlib.util.module_from_spec(_spec)
sys.modules.setdefault("loraprep_make_sample_cls", make_sample)
_spec.loader.exec_module(make_sample)


def characters(root: Path) -> dict[str, str]:
    """Active path -> the character in force."""
    from loraprep.ops.caption_fields import fields_for

    with Workspace(root) as ws:
        files = ws.files(statuses=("active",))
        return {f.path: fields_for(ws, files)[f.id]["character"][0] for f in files}


@pytest.fixture
def sample(tmp_path):
    return prepare(copy_sample(tmp_path), tag=False)


def test_sample_characters_and_clusters_match_the_ground_truth(sample):
    report = ops.classify(sample)
    found = characters(sample)
    by_folder: dict[str, set[str]] = {}
    for path, character in found.items():
        by_folder.setdefault(path.split("/")[0], set()).add(character)
    for folder, truth in make_sample.CHARACTERS.items():
        if truth is not None:
            assert by_folder[folder] == {truth}, folder
        else:
            (cluster,) = by_folder[folder]
            assert cluster.startswith("unknown-"), folder
    assert by_folder["outfit_red"] != by_folder["outfit_blue"]
    assert report["clusters"] == 2 and report["unsorted"] == 0
    assert report["assigned"] == sum(1 for p in found if p.split("/")[0] in ("blobby", "sunny"))


def test_a_new_reference_reclassifies_from_stored_embeddings(sample):
    first = ops.classify(sample)
    assert first["embedded"] == len(characters(sample)) + 6  # every active image and the six references
    refs = sample.parent / "refs"
    red = next(p for p in sorted((sample / "outfit_red").iterdir()) if p.suffix == ".png")
    (refs / "crimson").mkdir()
    shutil.copy(red, refs / "crimson" / "one.png")
    again = ops.classify(sample)
    assert again["embedded"] == 0  # the reference's bytes are a dataset image's: nothing new to run
    found = characters(sample)
    assert {c for p, c in found.items() if p.startswith("outfit_red/")} == {"crimson"}
    assert {c for p, c in found.items() if p.startswith("blobby/")} == {"blobby"}
    assert again["clusters"] == 1


def test_the_users_name_wins_and_a_rename_is_one_undoable_batch(sample):
    ops.classify(sample)
    found = characters(sample)
    blue = found["outfit_blue/blue_01.jpg"]
    with Workspace(sample) as ws:
        from loraprep.ops.caption_fields import rename_value, set_field

        batch = rename_value(ws, "character", blue, "navy")
        one = next(f.id for f in ws.files(statuses=("active",)) if f.path == "blobby/blobby_01.jpg")
        set_field(ws, [one], "character", "someone else")
    assert batch is not None
    found = characters(sample)
    assert {c for p, c in found.items() if p.startswith("outfit_blue/")} == {"navy"}
    rerun = ops.classify(sample)  # a classifier run never overrides what a person said
    assert rerun["changed"] == 0 and rerun["batch"] is None  # and its own view did not change
    again = characters(sample)
    assert again["blobby/blobby_01.jpg"] == "someone else"
    assert {c for p, c in again.items() if p.startswith("outfit_blue/")} == {"navy"}
    assert step(sample, "undo")["label"].startswith("set character")
    assert step(sample, "undo")["id"] == batch
    back = characters(sample)
    assert back["outfit_blue/blue_01.jpg"] == blue and back["blobby/blobby_01.jpg"] == "blobby"


def test_assign_concepts_moves_files_in_one_undoable_batch_and_keeps_a_users_move(sample):
    conn = db(sample)
    red_id = conn.execute("SELECT id FROM files WHERE path='outfit_red/red_01.jpg'").fetchone()[0]
    conn.close()
    from loraprep.store.db import open_store
    from loraprep.store.journal import FileOp, record_batch

    with open_store(sample) as store, store.write() as c:  # a person moved red_01 to a concept of their own
        record_batch(c, "move", "user", file_ops=[FileOp(red_id, "concept", "outfit_red", "mine")])
    report = ops.classify(sample, assign_concepts=True)
    conn = db(sample)
    concepts = dict(conn.execute("SELECT path, concept FROM files WHERE status='active'").fetchall())
    conn.close()
    found = characters(sample)
    assert concepts["outfit_red/red_01.jpg"] == "mine"
    for path, character in found.items():
        if path != "outfit_red/red_01.jpg":
            assert concepts[path] == character, path
    assert report["moved"] == sum(1 for p, c in found.items() if p.split("/")[0] != c) - 1
    assert step(sample, "undo")["label"].startswith("classify")
    conn = db(sample)
    concepts = dict(conn.execute("SELECT path, concept FROM files WHERE status='active'").fetchall())
    conn.close()
    assert all(c == p.split("/")[0] for p, c in concepts.items() if p != "outfit_red/red_01.jpg")


def test_without_references_everything_is_clustered(sample, tmp_path):
    empty = tmp_path / "norefs"
    empty.mkdir()
    report = ops.classify(sample, refs=empty)
    found = characters(sample)
    assert report["assigned"] == 0 and report["clusters"] == 4
    groups = {}
    for path, character in found.items():
        groups.setdefault(character, set()).add(path.split("/")[0])
    assert all(len(folders) == 1 for folders in groups.values())


def test_a_missing_reference_folder_is_a_clear_error(sample, tmp_path):
    from loraprep.errors import DatasetError

    with pytest.raises(DatasetError, match="reference folder not found"):
        ops.classify(sample, refs=tmp_path / "nowhere")
