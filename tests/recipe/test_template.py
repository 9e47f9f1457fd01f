"""The recipe template `loraprep init` writes: it loads as the defaults, and every shown default is the real one."""

from __future__ import annotations

import re

import pytest

from loraprep.model.recipe import ConceptRecipe, Recipe
from loraprep.recipe.loader import load_recipe
from loraprep.recipe.schema import EXPORT, RULES, TAGGER, TOP
from loraprep.recipe.template import render_recipe_template


def _load(tmp_path, text: str) -> Recipe:
    path = tmp_path / "loraprep.toml"
    path.write_text(text, encoding="utf-8")
    return load_recipe(path)


def _defaults(tmp_path, trigger=()) -> Recipe:
    path = tmp_path / "loraprep.toml"
    return Recipe(base=ConceptRecipe(name="", trigger=tuple(trigger), base_dir=str(tmp_path)), path=str(path))


def test_template_round_trips_to_the_defaults_plus_the_trigger(tmp_path):
    assert _load(tmp_path, render_recipe_template(["x"])) == _defaults(tmp_path, ["x"])


@pytest.mark.parametrize("triggers", [[], ["mychar", "armor outfit"], ['quote "me"']])
def test_template_round_trips_any_triggers(tmp_path, triggers):
    assert _load(tmp_path, render_recipe_template(triggers)) == _defaults(tmp_path, triggers)


def test_uncommenting_every_shown_default_changes_nothing(tmp_path):
    lines = []
    for line in render_recipe_template(["x"]).splitlines():
        match = re.match(r"^# (\w+ = .*?)\s+# ", line)
        if match and "..." not in match.group(1) and not line.startswith("# [") \
                and not match.group(1).startswith(("aliases", "consolidate", "trigger", "repeats")):
            line = match.group(1)
        lines.append(line)
    text = "\n".join(lines)
    assert text.count("\n# ") < render_recipe_template(["x"]).count("\n# ")  # something was uncommented
    assert _load(tmp_path, text) == _defaults(tmp_path, ["x"])


def test_template_mentions_every_key():
    text = render_recipe_template([])
    for schema in (TOP, TAGGER, RULES, EXPORT):
        for key in schema:
            assert re.search(rf"^#? ?{key} = ", text, re.M), key


def test_examples_in_the_template_are_valid(tmp_path):
    examples = [line[2:].split("  #")[0] for line in render_recipe_template([]).splitlines()
                if line.startswith(("# aliases = {", "# consolidate = {"))]
    recipe = _load(tmp_path, "[rules]\n" + "\n".join(examples) + "\n")
    assert ("white panties", "frilled panties") in recipe.base.rules.aliases
    assert ("panties", "frilled panties") in recipe.base.rules.aliases


def test_docs_recipe_documents_every_key():
    from pathlib import Path

    from loraprep.recipe.schema import CONCEPT

    docs = (Path(__file__).resolve().parents[2] / "docs" / "recipe.md").read_text(encoding="utf-8")
    from loraprep.recipe.schema import CAPTION, CLASSIFY

    for schema in (TOP, CONCEPT, TAGGER, RULES, EXPORT, CLASSIFY, CAPTION):
        for key, (_field, _check, _help) in schema.items():
            assert f"| `{key}` |" in docs, key
