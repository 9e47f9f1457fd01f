"""`loraprep scan`: ingest a dataset folder and print its health report."""

from __future__ import annotations

from pathlib import Path

import typer

from loraprep.cli.output import JSON_OPTION, emit, progress_bar


def register(app: typer.Typer) -> None:
    @app.command()
    def scan(
        ctx: typer.Context,
        dataset: Path = typer.Argument(..., help="The dataset folder (one subfolder per concept)."),
        min_size: int = typer.Option(768, "--min-size", min=1, help="Flag images whose shorter side is below this."),
        json_output: bool = JSON_OPTION,
    ) -> None:
        """Ingest images and captions (incremental) and report corrupt, small and odd files."""
        from loraprep import ops
        from loraprep.cli.render_health import render_health

        with progress_bar("scanning") as update:
            report = ops.scan(dataset, min_size=min_size, progress=update)
        emit(ctx, json_output, report, render_health)
