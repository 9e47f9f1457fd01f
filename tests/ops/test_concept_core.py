"""`caption` of one image reads that image's rows and its concept's counts (cached), with the whole dataset's answer."""

from __future__ import annotations

from pathlib import Path

import pytest

from loraprep.engine import workspace as engine_workspace
from loraprep.ops.curate import _evidence, caption, curate, edit_tags, tags_report
from loraprep.ops.edits import EditOp
from loraprep.ops.workspace import Workspace
from tests.ops.sample_helpers import clone, copy_sample, prepare

# drop_all_core: a caption depends on which tags are core in its concept, counted over the concept's images.
RECIPE = """\
trigger = ["lpcore"]

[tagger]
model = "../tiny_tagger"

[rules]
core_frequency = 0.6
drop_all_core = true

[concepts.outfit_blue]
fixed = ["blue outfit"]
"""


@pytest.fixture(scope="module")
def prepared(tmp_path_factory) -> Path:
    return prepare(copy_sample(tmp_path_factory.mktemp("core"), recipe=RECIPE), dedup=False)


@pytest.fixture
def sample(prepared, tmp_path) -> Path:
    return clone(prepared, tmp_path)


def whole_dataset_answers(root: Path) -> dict[str, dict]:
    """Per live file: the caption and evidence as the Workspace over every image gives them."""
    with Workspace(root) as ws:
        out = {}
        for f in ws.files():
            result = ws.result(f.id)
            out[f.path] = {"caption": ws.caption(f.id), "kept": [_evidence(t) for t in result.kept],
                           "dropped": [{**_evidence(d.tag), "rule": d.rule, "why": d.why}
                                       for d in result.dropped_tags]}
        return out


def one_image_answers(root: Path) -> dict[str, dict]:
    answers = {}
    for path in whole_dataset_answers(root):
        data = caption(root, path, why=True)
        answers[path] = {k: data[k] for k in ("caption", "kept", "dropped")}
    return answers


def test_one_image_caption_is_the_whole_datasets(sample):
    expected = whole_dataset_answers(sample)
    assert any("core" in d["why"] for a in expected.values() for d in a["dropped"]), "no core tag dropped"
    assert one_image_answers(sample) == expected      # counted afresh
    assert one_image_answers(sample) == expected      # from the counts kept the first time
    tags_report(sample)
    curate(sample)
    assert one_image_answers(sample) == expected      # from the counts tags and curate kept


def test_counts_follow_edits_undo_and_status(sample):
    one_image_answers(sample)  # the counts are kept
    concept, core_tag = next((p.split("/")[0], d["tag"]) for p, a in whole_dataset_answers(sample).items()
                             for d in a["dropped"] if "core" in d["why"])
    with Workspace(sample) as ws:  # the tag leaves all but one image of its concept: no longer core there
        ids = [f.id for f in ws.files(("active",)) if f.concept == concept and core_tag in ws.base_names(f.id)]
        ws.apply_edit(EditOp("remove", (core_tag,)), ids[1:])
    answers = one_image_answers(sample)
    assert answers == whole_dataset_answers(sample)
    assert any(t["tag"] == core_tag for a in answers.values() for t in a["kept"])
    with Workspace(sample) as ws:
        ws.undo()
    assert one_image_answers(sample) == whole_dataset_answers(sample)
    curate(sample, write=True)
    assert one_image_answers(sample) == whole_dataset_answers(sample)
    edit_tags(sample, EditOp("remove", (core_tag,)), where=None, apply=True)
    assert one_image_answers(sample) == whole_dataset_answers(sample)


def test_one_image_reads_its_own_rows(sample, monkeypatch):
    tags_report(sample)  # keeps every concept's counts
    path = next(iter(whole_dataset_answers(sample)))
    asked = []
    real_scores, real_states = engine_workspace.tag_rows.load_scores, engine_workspace.journal.tag_states

    def scores(conn, model, image_ids=None):
        asked.append(("scores", None if image_ids is None else len(set(image_ids))))
        return real_scores(conn, model, image_ids)

    def states(conn, image_ids=None, **kw):
        asked.append(("states", None if image_ids is None else len(set(image_ids))))
        return real_states(conn, image_ids, **kw)

    monkeypatch.setattr(engine_workspace.tag_rows, "load_scores", scores)
    monkeypatch.setattr(engine_workspace.journal, "tag_states", states)
    data = caption(sample, path)
    assert data["path"] == path
    assert asked == [("scores", 1), ("states", 1)]


RULES = "core_frequency = 0.6\ndrop_all_core = true\n"
NO_CORE = RECIPE.replace(RULES, "drop_all_core = false\nabsorb_core = false\nprune_mode = \"minimal\"\n")
ABSORB = RECIPE.replace(RULES, "core_frequency = 0.3\ndrop_all_core = false\n")
CHARACTER_CORE = RECIPE.replace(RULES, "core_frequency = 0.25\nabsorb_core = false\nprune_mode = \"character_core\"\n")


@pytest.mark.parametrize("recipe", [NO_CORE, ABSORB, CHARACTER_CORE], ids=["no-core", "absorb", "character-core"])
def test_one_image_counts_its_concept_only_when_its_rules_read_core_tags(prepared, tmp_path, monkeypatch, recipe):
    from loraprep.ops import concept_core

    assert recipe != RECIPE
    sample = clone(prepared, tmp_path)
    (sample / "loraprep.toml").write_text(recipe, encoding="utf-8")
    counted: list[str] = []
    real = concept_core.counted_stats

    def counting(ws, concept, page=None):
        counted.append(concept)
        return real(ws, concept, page)

    monkeypatch.setattr(concept_core, "counted_stats", counting)
    expected = whole_dataset_answers(sample)
    assert one_image_answers(sample) == expected
    assert counted == []  # the sample's tags hold no character trait: no rule reads the core of any image
    with Workspace(sample) as ws:  # hair traits on most of one concept: core there, read by absorb/character_core
        files = [f for f in ws.files(("active",)) if f.concept == "outfit_red"]
        ws.apply_edit(EditOp("add", ("blonde hair", "long hair")), [f.id for f in files[: len(files) * 3 // 4]])
    expected = whole_dataset_answers(sample)
    assert one_image_answers(sample) == expected
    if recipe is NO_CORE:
        assert counted == []
    else:
        assert set(counted) == {"outfit_red"}  # counted once, then kept; the other concepts never
        assert any("blonde hair" in t["tag"] for a in expected.values() for t in a["kept"] + a["dropped"])
