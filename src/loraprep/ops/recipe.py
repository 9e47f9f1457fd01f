"""Load the dataset's recipe (loraprep.toml) or the defaults when there is none."""

from __future__ import annotations

from pathlib import Path

RECIPE_NAME = "loraprep.toml"


def load_dataset_recipe(root: Path, override: Path | None = None):
    """The recipe in force for a dataset: an explicit file, else DATASET/loraprep.toml, else defaults."""
    from loraprep.export.registry import format_names
    from loraprep.recipe.loader import load_recipe

    path = override if override is not None else root / RECIPE_NAME
    return load_recipe(path if path.exists() or override is not None else None, formats=format_names())
