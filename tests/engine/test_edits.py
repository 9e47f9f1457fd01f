"""Batch edits as operation sets: each image gets exactly the operations the edit means for it, in its order."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from loraprep.model.image import FileRecord
from loraprep.engine.edits import EditOp, file_ops_for, tag_sets_for

TAGS = ("a", "b", "c", "d")
image_strategy = st.tuples(st.frozensets(st.sampled_from(TAGS)), st.frozensets(st.sampled_from(TAGS)))
edit_strategy = st.one_of(
    st.builds(EditOp, st.sampled_from(("add", "remove", "pin", "unpin")),
              st.lists(st.sampled_from(TAGS), min_size=1, max_size=3).map(tuple)),
    st.builds(EditOp, st.sampled_from(("replace", "consolidate")),
              st.lists(st.sampled_from(TAGS), min_size=1, max_size=3).map(tuple), st.sampled_from(TAGS)))


def per_image(edit: EditOp, present: frozenset, pinned: frozenset) -> list[tuple[str, str]]:
    """What the edit means for one image, stated plainly."""
    if edit.kind == "add":
        return [(t, "add") for t in edit.tags if t not in present]
    if edit.kind == "remove":
        return [(t, "remove") for t in edit.tags if t in present]
    if edit.kind == "pin":
        return [(t, "pin") for t in edit.tags if t not in pinned]
    if edit.kind == "unpin":
        return [(t, "unpin") for t in edit.tags if t in pinned]
    hits = [t for t in edit.tags if t in present and t != edit.target]
    return [(t, "remove") for t in hits] + ([(edit.target, "add")] if hits and edit.target not in present else [])


@settings(max_examples=300, deadline=None)
@given(edit_strategy, st.lists(image_strategy, min_size=1, max_size=6))
def test_sets_replay_to_each_images_own_operations(edit, images):
    ids = [f"img{i}" for i in range(len(images))]
    facts = dict(zip(ids, images))
    sets = tag_sets_for(edit, ids, lambda t: {i for i in ids if t in facts[i][0]},
                        lambda t: {i for i in ids if t in facts[i][1]}, lambda t: set())
    assert all(s.image_ids for s in sets)
    for image_id, (present, pinned) in facts.items():
        replayed = [(s.tag, s.op) for s in sets if image_id in s.image_ids]
        assert replayed == per_image(edit, present, pinned)


def test_file_edits_change_only_what_differs():
    record = FileRecord(id=7, path="a.png", image_id="x", concept="red", tier="", size=1, mtime_ns=1,
                        status="active", reason="", small=False, caption_path=None)
    assert [(o.field, o.old, o.new) for o in file_ops_for(EditOp("exclude"), record)] == [("status", "active", "excluded")]
    assert file_ops_for(EditOp("include"), record) == []
    assert file_ops_for(EditOp("concept", target="red"), record) == []
    assert [(o.field, o.new) for o in file_ops_for(EditOp("tier", target="best"), record)] == [("tier", "best")]
