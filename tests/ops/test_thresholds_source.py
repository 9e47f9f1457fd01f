"""Which threshold applies to a dataset and where it came from: recipe, default or the model card, shown by
`tags` and `caption --why`."""

from __future__ import annotations

from pathlib import Path

import pytest

from loraprep.ops.curate import caption, tags_report
from loraprep.ops.workspace import Workspace
from tests.conftest import make_image

SCORES = [("1girl", "general", 0.99), ("smile", "general", 0.6), ("hat", "general", 0.4),
          ("blush", "general", 0.3), ("sky", "general", 0.27), ("alice", "character", 0.8)]


def tagged(root: Path, model: str, tagger: str) -> Path:
    from loraprep import ops
    from loraprep.store.db import open_store
    from loraprep.store.files import list_files
    from loraprep.store.tags import write_scores

    make_image(root / "a.png", (96, 80))
    (root / "loraprep.toml").write_text(f'trigger = ["zeta"]\n[tagger]\nmodel = "{model.split("@")[0]}"\n{tagger}',
                                        encoding="utf-8")
    ops.scan(root, min_size=64)
    with open_store(root) as store, store.write() as conn:
        (f,) = list_files(store)
        write_scores(conn, f.image_id, model, SCORES)
    return root


@pytest.mark.parametrize("model, tagger, general, general_from, kept", [
    ("wd-eva02-large-v3@0123456789ab", "", 0.35, "default", {"smile", "hat"}),
    ("wd-eva02-large-v3@0123456789ab", 'general = "model"\n', 0.5296, "model card of wd-eva02-large-v3",
     {"smile"}),
    ("wd-vit-v3@abc", 'general = "model"\n', 0.2614, "model card of wd-vit-v3", {"smile", "hat", "blush", "sky"}),
    ("wd-vit-v3@abc", "general = 0.29\n", 0.29, "recipe", {"smile", "hat", "blush"}),
    ("my-local-tagger@1", 'general = "model"\n', 0.35, "default (my-local-tagger has no model card value)",
     {"smile", "hat"}),
])
def test_the_threshold_in_force_and_its_source(tmp_path, model, tagger, general, general_from, kept):
    root = tagged(tmp_path / "ds", model, tagger)
    with Workspace(root) as ws:
        assert (ws.thresholds.general, ws.thresholds.sources[0]) == (general, general_from)
        (f,) = ws.files()
        assert set(ws.verdict(f.id).names) == {"zeta", "1girl"} | kept
    report = tags_report(root)
    assert (report["thresholds"]["general"], report["thresholds"]["general_from"]) == (general, general_from)
    assert report["thresholds"]["character_from"] == "default"
    why = caption(root, "a.png", why=True)
    assert why["thresholds"]["general_from"] == general_from


def test_character_model_and_a_threshold_asked_now(tmp_path):
    root = tagged(tmp_path / "ds", "wd-vit-v3@abc", 'character = "model"\n')
    report = tags_report(root, general=0.5)
    t = report["thresholds"]
    assert (t["general"], t["general_from"], t["character"], t["character_from"]) == (
        0.5, "asked now", 0.85, "model card of wd-vit-v3")


def test_a_bad_threshold_word_is_a_recipe_error(tmp_path):
    from loraprep.errors import RecipeError
    from loraprep.recipe.loader import load_recipe

    path = tmp_path / "loraprep.toml"
    path.write_text('[tagger]\ngeneral = "card"\n', encoding="utf-8")
    with pytest.raises(RecipeError, match="'general' must be a number between 0 and 1 or \"model\""):
        load_recipe(path)


def test_tags_and_caption_why_print_where_the_threshold_came_from(tmp_path):
    import subprocess
    import sys

    root = tagged(tmp_path / "ds", "wd-eva02-large-v3@0123456789ab", 'general = "model"\n')
    for args in (["tags", str(root)], ["caption", str(root), "a.png", "--why"]):
        out = subprocess.run([sys.executable, "-m", "loraprep", *args], capture_output=True, text=True,
                             env={**__import__("os").environ, "COLUMNS": "200"})
        assert out.returncode == 0, out.stderr
        assert "general 0.5296 (model card of wd-eva02-large-v3), character 0.85 (default)" in out.stdout
