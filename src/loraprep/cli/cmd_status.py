"""`loraprep status`: the health report from the store, without touching the files."""

from __future__ import annotations

from pathlib import Path

import typer

from loraprep.cli.output import DATASET_ARG, JSON_OPTION, emit


def register(app: typer.Typer) -> None:
    @app.command()
    def status(
        ctx: typer.Context,
        dataset: Path = DATASET_ARG,
        json_output: bool = JSON_OPTION,
    ) -> None:
        """Show the dataset's health report as last scanned."""
        from loraprep import ops
        from loraprep.cli.render_health import render_health

        emit(ctx, json_output, ops.status(dataset), render_health)
