"""`loraprep export`: write the curated dataset and its config for a trainer."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer

from loraprep.cli.cmd_plan import render_plan
from loraprep.cli.export_options import COPY_HELP, FORMAT_HELP, LINK_HELP, REPLACE_HELP, mode
from loraprep.cli.output import DATASET_ARG, JSON_OPTION, emit, print_warnings, stdout_console


def _render_export(report: dict) -> None:
    console = stdout_console()
    counts = report.get("counts", {})
    console.print(f"exported {counts.get('images')} images as {report['format']} to {report['out_dir']} "
                  f"({counts.get('copy', 0)} copied, {counts.get('reflink', 0)} cloned, {counts.get('link', 0)} linked, "
                  f"{counts.get('convert', 0)} converted)")
    if report.get("plan"):
        render_plan(report["plan"])
    print_warnings(console, report.get("warnings", []))
    if report.get("train_command"):
        console.print(f"train with: {report['train_command']}", markup=False)


def register(app: typer.Typer) -> None:
    @app.command()
    def export(
        ctx: typer.Context,
        dataset: Path = DATASET_ARG,
        out: Path = typer.Argument(..., help="The export folder (outside the dataset; replaced atomically)."),
        fmt: Optional[str] = typer.Option(None, "--format", "-f", help=FORMAT_HELP),
        copy: bool = typer.Option(False, "--copy", help=COPY_HELP),
        link: bool = typer.Option(False, "--link", help=LINK_HELP),
        replace: bool = typer.Option(False, "--replace", help=REPLACE_HELP),
        preset: Optional[str] = typer.Option(None, "--preset", help="kohya, kohya-finetune: also write train.toml (lora | locon | loha)."),
        steps: Optional[int] = typer.Option(None, "--steps", min=1, help="Target total steps for the plan."),
        batch: Optional[int] = typer.Option(None, "--batch", min=1, help="Batch size for the plan."),
        json_output: bool = JSON_OPTION,
    ) -> None:
        """Write the curated dataset for a trainer, with its config."""
        from loraprep.ops.export import export as run_export

        report = run_export(dataset, out, fmt=fmt, mode=mode(copy, link), preset=preset, steps=steps,
                            batch=batch, replace=replace)
        emit(ctx, json_output, report, _render_export)
