"""[tagger] use: the tagger's tags beside imported ones ("always"), only where nothing was imported
("if-empty"), or never; `tag` runs the model only where its tags would show."""

from __future__ import annotations

from pathlib import Path

import pytest

from loraprep import ops
from loraprep.ops.workspace import Workspace
from loraprep.store import journal
from loraprep.store.db import open_store
from loraprep.store.files import list_files
from tests.ops.sample_helpers import copy_sample
from tests.ops.test_tag import forbid_inference


def _sample(parent: Path, use: str | None) -> Path:
    root = copy_sample(parent)
    recipe = root / "loraprep.toml"
    text = recipe.read_text(encoding="utf-8")
    line = 'model = "../tiny_tagger"'
    recipe.write_text(text.replace(line, line + (f'\nuse = "{use}"' if use else ""), 1), encoding="utf-8")
    return root


def _sources(root: Path) -> dict[str, tuple[set, set]]:
    """path -> (imported tags, tags that came from the tagger) before rules."""
    with Workspace(root) as ws:
        with open_store(root) as store:
            states = journal.tag_states(store.conn, imports_only=True)
        out = {}
        for f in ws.files(statuses=("active",)):
            lean = ws.entry(f.id).lean
            sources = lean.sources or ("tagger",) * len(lean.names)
            imported = {t for t, s in states.get(f.image_id, {}).items() if s.imported}
            out[f.path] = (imported, {n for n, s in zip(lean.names, sources) if s == "tagger"})
        return out


def test_always_mixes_if_empty_keeps_imported_captions_whole(tmp_path):
    always = _sample(tmp_path / "a", None)
    ops.scan(always)
    ops.tag(always)
    mixed = _sources(always)
    captioned = [p for p, (imported, _t) in mixed.items() if imported]
    plain = [p for p, (imported, _t) in mixed.items() if not imported]
    assert captioned and plain
    assert any(mixed[p][1] for p in captioned)   # the tagger's tags sit beside the caption's

    only_empty = _sample(tmp_path / "b", "if-empty")
    ops.scan(only_empty)
    report = ops.tag(only_empty)
    assert report["not_tagged_by_recipe"] == len(captioned) and report["use"] == "if-empty"
    chosen = _sources(only_empty)
    assert all(not chosen[p][1] for p in captioned)
    assert all(chosen[p][1] == mixed[p][1] for p in plain)


def test_switching_the_recipe_is_a_query_on_stored_scores(tmp_path):
    root = _sample(tmp_path / "a", None)
    ops.scan(root)
    ops.tag(root)
    recipe = root / "loraprep.toml"
    recipe.write_text(recipe.read_text(encoding="utf-8").replace('model = "../tiny_tagger"',
                                                                 'model = "../tiny_tagger"\nuse = "if-empty"'),
                      encoding="utf-8")
    chosen = _sources(root)
    assert all(not tagger for imported, tagger in chosen.values() if imported)
    assert any(tagger for imported, tagger in chosen.values() if not imported)


def test_never_runs_no_model_and_keeps_only_imported_tags(tmp_path, monkeypatch):
    root = _sample(tmp_path / "a", None)
    ops.scan(root)
    ops.tag(root)   # scores stored while the recipe said "always"
    recipe = root / "loraprep.toml"
    recipe.write_text(recipe.read_text(encoding="utf-8").replace('model = "../tiny_tagger"',
                                                                 'model = "../tiny_tagger"\nuse = "never"'),
                      encoding="utf-8")
    forbid_inference(monkeypatch)
    report = ops.tag(root)
    with open_store(root) as store:
        active = {f.image_id for f in list_files(store, statuses=["active"]) if f.image_id}
    assert report["tagged"] == 0 and report["not_tagged_by_recipe"] == len(active)
    chosen = _sources(root)
    assert all(not tagger for _imported, tagger in chosen.values())
    assert any(imported for imported, _tagger in chosen.values())


def test_an_unknown_use_is_a_recipe_error(tmp_path):
    from loraprep.errors import RecipeError
    from loraprep.ops.recipe import load_dataset_recipe

    root = _sample(tmp_path / "a", "sometimes")
    with pytest.raises(RecipeError, match="use"):
        load_dataset_recipe(root)
