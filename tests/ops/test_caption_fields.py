"""Caption fields at export on the sample: order, seeded draws recorded in export.json, provenance fields, the
per-concept character files, drop_all_core; and set_field through the workspace."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from loraprep import ops
from loraprep.ops.export import export
from tests.ops.sample_helpers import captions as workspace_captions
from tests.ops.sample_helpers import clone, copy_sample, prepare

CAPTION = """
[caption]
caption_ordering = ["character", "copyright", "tags"]
keep_tokens_before = "tags"
use_character_prob = 0.5
seed = {seed}
"""


@pytest.fixture(scope="module")
def classified(tmp_path_factory):
    root = prepare(copy_sample(tmp_path_factory.mktemp("fields")))
    ops.classify(root)
    return root


def captions(out: Path) -> dict[str, str]:
    report = json.loads((out / "export.json").read_text(encoding="utf-8"))
    found = {Path(i["source"]).name: (out / i["output"]).with_suffix(".txt").read_text(encoding="utf-8")
             for i in report["images"]}
    assert found == {Path(i["source"]).name: i["caption"] for i in report["images"]}
    return found


def _with_recipe(root: Path, text: str) -> Path:
    with open(root / "loraprep.toml", "a", encoding="utf-8") as handle:
        handle.write(text)
    return root


def test_fields_are_drawn_per_image_from_the_recorded_seed(classified, tmp_path):
    root = _with_recipe(clone(classified, tmp_path / "a"), CAPTION.format(seed=5))
    first = export(root, tmp_path / "out1", fmt="kohya")
    assert first["caption_fields"]["seed"] == 5
    assert first["caption_fields"]["ordering"] == ["character", "copyright", "tags"]
    one = captions(tmp_path / "out1")
    blobby = {n: c for n, c in one.items() if n.startswith("blobby")}
    with_name = [c for c in blobby.values() if c.startswith("lpsample, blobby, ")]
    assert 0 < len(with_name) < len(blobby)  # probability 0.5 over 8 images
    assert all(c.startswith("lpsample, ") for c in blobby.values())
    export(root, tmp_path / "out2", fmt="kohya")
    assert captions(tmp_path / "out2") == one  # same seed, same captions
    text = (root / "loraprep.toml").read_text(encoding="utf-8").replace("seed = 5", "seed = 6")
    (root / "loraprep.toml").write_text(text, encoding="utf-8")
    export(root, tmp_path / "out3", fmt="kohya")
    assert captions(tmp_path / "out3") != one


def test_character_files_per_concept(classified, tmp_path):
    root = _with_recipe(clone(classified, tmp_path / "b"), "\n[caption]\n")
    export(root, tmp_path / "out", fmt="kohya")
    folder = tmp_path / "out" / "caption_fields"
    assert (folder / "sunny" / "wildcard.txt").read_text(encoding="utf-8") == "sunny\n"
    core = json.loads((folder / "blobby" / "core_tags.json").read_text(encoding="utf-8"))
    assert list(core) == ["blobby"] and "blobby (loraprep)" in core["blobby"] and "lpsample" not in core["blobby"]
    assert all(share >= 0.4 for share in core["blobby"].values())
    init = json.loads((folder / "blobby" / "emb_init.json").read_text(encoding="utf-8"))
    assert set(init["blobby"]) <= set(core["blobby"]) and init["blobby"]
    red = (folder / "outfit_red" / "wildcard.txt").read_text(encoding="utf-8").split()
    assert len(red) == 1 and red[0].startswith("unknown-")
    exported = captions(tmp_path / "out")
    assert exported["sunny_01.jpg"].startswith("lpsample, sunny, ")
    # the editor's and `loraprep caption`'s "caption as exported" is the exported one, fields included
    shown = {Path(path).name: text for path, text in workspace_captions(root).items()}
    assert {n: shown[n] for n in exported} == exported


def test_booru_provenance_gives_copyright_and_rating(classified, tmp_path):
    from loraprep.store.db import open_store
    from loraprep.store.sources import Source, record_sources
    from tests.ops.sample_helpers import db

    root = _with_recipe(clone(classified, tmp_path / "c"), '\n[caption]\ncaption_ordering = ["rating", "copyright", '
                                                           '"image_type", "artist", "tags"]\n')
    conn = db(root)
    sha = conn.execute("SELECT image_id FROM files WHERE path='sunny/sunny_02.jpg'").fetchone()[0]
    conn.close()
    with open_store(root) as store:
        record_sources(store, [Source("sunny/sunny_02.jpg", sha, "booru", "booru:danbooru:1",
                                      {"site": "danbooru", "post_id": 1, "rating": "q", "score": 3,
                                       "tags": {"copyright": ["sunny_show"], "artist": ["pen_name"],
                                                "character": [], "general": [], "meta": []}})])
    export(root, tmp_path / "out", fmt="kohya")
    got = captions(tmp_path / "out")
    assert got["sunny_02.jpg"].startswith("lpsample, questionable, sunny show, fanart, pen name, ")
    assert got["sunny_01.jpg"].startswith("lpsample, general, no humans")  # the tagger's rating, no provenance


def test_drop_all_core_drops_every_core_tag(classified, tmp_path):
    root = _with_recipe(clone(classified, tmp_path / "d"), "\n[caption]\ndrop_all_core = true\n")
    export(root, tmp_path / "out", fmt="kohya")
    blobby = [c for n, c in captions(tmp_path / "out").items() if n.startswith("blobby")]
    assert blobby and not any("blobby (loraprep)" in c or "no humans" in c for c in blobby)


def test_set_field_is_journaled_and_shown(classified, tmp_path):
    from loraprep.ops.caption_fields import fields_for, set_field
    from loraprep.ops.history import step
    from loraprep.ops.workspace import Workspace

    root = clone(classified, tmp_path / "e")
    with Workspace(root) as ws:
        files = [f for f in ws.files(statuses=("active",)) if f.path.startswith("outfit_red/")]
        set_field(ws, [f.id for f in files[:2]], "copyright", "my show")
        got = fields_for(ws, files)
    assert got[files[0].id]["copyright"] == ("my show", "user") and got[files[2].id]["copyright"] == ("", "")
    with pytest.raises(ValueError, match="no caption field"):
        with Workspace(root) as ws:
            set_field(ws, [files[0].id], "tags", "x")
    step(root, "undo")
    with Workspace(root) as ws:
        assert fields_for(ws, files)[files[0].id]["copyright"] == ("", "")


def test_detection_gives_npeople_and_crop_info(classified, tmp_path):
    root = _with_recipe(clone(classified, tmp_path / "d"), '\n[caption]\ncaption_ordering = ["npeople", "crop_info", '
                                                           '"tags"]\n')
    from loraprep.ops.crop import crop
    from loraprep.ops.detect import detect

    detect(root)
    crop(root)
    ops.tag(root)  # the crops are new images: tagged like any other
    export(root, tmp_path / "out", fmt="kohya")
    got = captions(tmp_path / "out")
    # the sample's group pictures hold two drawn characters each; a person crop shows one of them whole
    for group in ("group_01.png", "group_02.jpg", "group_03.png"):
        assert got[group].startswith("lpsample, 2 people, full, "), got[group]
    crops = [name for name in got if "_person_" in name]
    assert len(crops) == 6 and all(got[name].startswith("lpsample, 1 person, full, ") for name in crops)
    assert got["blobby_02.jpg"].startswith("lpsample, 1 person, full, ")
