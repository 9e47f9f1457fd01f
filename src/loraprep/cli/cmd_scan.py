"""`loraprep scan`: ingest a dataset folder and print its health report."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer

from loraprep.cli.engine_options import ADDRESS_OPTION, ENGINE_OPTION
from loraprep.cli.output import JSON_OPTION, emit, progress_bar

MIN_SIZE_HELP = "Flag images whose shorter side is below this (default: the recipe's [export] resolution, 768)."


def register(app: typer.Typer) -> None:
    @app.command()
    def scan(
        ctx: typer.Context,
        dataset: Path = typer.Argument(..., help="The dataset folder (one subfolder per concept)."),
        min_size: Optional[int] = typer.Option(None, "--min-size", min=1, help=MIN_SIZE_HELP),
        engine: str = ENGINE_OPTION,
        address: Optional[str] = ADDRESS_OPTION,
        json_output: bool = JSON_OPTION,
    ) -> None:
        """Ingest images and captions (incremental) and report corrupt, small and odd files."""
        from loraprep import ops
        from loraprep.cli.render_health import render_health

        with progress_bar("scanning") as update:
            report = ops.scan(dataset, min_size=min_size, progress=update, engine=engine, address=address)
        emit(ctx, json_output, report, render_health)
