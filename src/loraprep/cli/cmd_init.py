"""`loraprep init`: write a commented loraprep.toml recipe into the dataset folder."""

from __future__ import annotations

from pathlib import Path
from typing import List, Optional

import typer

from loraprep.cli.output import DATASET_ARG, JSON_OPTION, emit, stdout_console


def register(app: typer.Typer) -> None:
    @app.command()
    def init(
        ctx: typer.Context,
        dataset: Path = DATASET_ARG,
        trigger: Optional[List[str]] = typer.Option(None, "--trigger", "-t", help="Activation tag (repeatable)."),
        force: bool = typer.Option(False, "--force", help="Replace an existing loraprep.toml."),
        json_output: bool = JSON_OPTION,
    ) -> None:
        """Write loraprep.toml (the recipe) with every setting documented."""
        from loraprep import ops

        result = ops.init(dataset, triggers=trigger or [], force=force)
        emit(ctx, json_output, result, lambda r: stdout_console().print(
            f"wrote {r['recipe']}; next: `loraprep scan {dataset}`"))
