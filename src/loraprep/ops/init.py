"""init(): write a commented recipe (loraprep.toml) into a dataset folder, never overwriting without force."""

from __future__ import annotations

from pathlib import Path

from loraprep.errors import DatasetError
from loraprep.store.atomic import write_text_atomic
from loraprep.store.db import dataset_root

RECIPE_NAME = "loraprep.toml"


def init(dataset: str | Path, *, triggers: list[str] | None = None, force: bool = False) -> dict:
    """Write ``loraprep.toml``; refuses to replace an existing one unless ``force``."""
    from loraprep.recipe.template import render_recipe_template

    root = dataset_root(dataset)
    target = root / RECIPE_NAME
    existed = target.exists()
    if existed and not force:
        raise DatasetError(f"{target} already exists", hint="edit it by hand, or pass --force to replace it")
    write_text_atomic(target, render_recipe_template(list(triggers or [])))
    return {"recipe": str(target), "triggers": list(triggers or []), "replaced": existed}
