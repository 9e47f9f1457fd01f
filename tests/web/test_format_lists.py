"""The export formats are listed once, in the export registry: the CLI, the recipe and the editor read it."""

from __future__ import annotations

from pathlib import Path

import pytest

from loraprep.errors import RecipeError
from loraprep.export.registry import format_names
from loraprep.ops.recipe import load_dataset_recipe

SOURCE = Path(__file__).resolve().parents[2] / "src" / "loraprep"


def test_the_cli_help_lists_every_registered_format(capfd):
    import subprocess
    import sys

    shown = subprocess.run([sys.executable, "-m", "loraprep", "export", "--help"], capture_output=True, text=True,
                           env={"COLUMNS": "400", "PATH": "", "PYTHONPATH": str(SOURCE.parent)})
    assert shown.returncode == 0, shown.stderr
    assert all(name in shown.stdout for name in format_names())


def test_the_recipe_refuses_an_unknown_format_with_its_line(tmp_path):
    (tmp_path / "loraprep.toml").write_text('trigger = ["x"]\n\n[export]\nformat = "kohyaa"\n', encoding="utf-8")
    with pytest.raises(RecipeError, match=r"loraprep.toml:4: unknown export format 'kohyaa'") as info:
        load_dataset_recipe(tmp_path)
    assert all(name in info.value.message for name in format_names())
    for name in format_names():                      # every registered one loads, spelled as users do
        (tmp_path / "loraprep.toml").write_text(f'[export]\nformat = "{name.replace("-", "_")}"\n', encoding="utf-8")
        load_dataset_recipe(tmp_path)


def test_no_other_source_file_spells_out_the_list():
    listed = []
    for path in [*SOURCE.rglob("*.py"), *SOURCE.glob("web/static/*")]:
        if path.is_file() and "export" not in path.relative_to(SOURCE).parts[:1]:
            text = path.read_text(encoding="utf-8", errors="replace")
            if sum(name in text for name in ("onetrainer", "simpletuner", "kohya-finetune")) >= 2:
                listed.append(str(path.relative_to(SOURCE)))
    assert listed == []


def test_the_editor_reads_the_registry(client):
    assert client.get("/api/formats").json() == {"ok": True, "formats": format_names()}
