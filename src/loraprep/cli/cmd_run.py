"""`loraprep run`: the whole workflow with the recipe's settings, scan to export."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer

from loraprep.cli.cmd_scan import MIN_SIZE_HELP
from loraprep.cli.export_options import COPY_HELP, FORMAT_HELP, LINK_HELP, REPLACE_HELP, mode
from loraprep.cli.output import (DATASET_ARG, JSON_OPTION, emit, print_warnings, progress_bar,
                                 shown, stderr_console, stdout_console, table)


def _render_run(s: dict) -> None:
    console = stdout_console()
    console.print(table("loraprep run", ["", ""], [  # a two-column summary: no header row
        ["images in", s["images"]], ["failed", s["failed"]], ["small", s["small"]],
        *([["crops", f"{s['crops_made']} made from {s['detected']} pictures detected ({s['detector']}), "
                     f"{s['crops_skipped']} boxes not made"]] if "crops_made" in s else []),
        ["duplicates excluded", f"{s['duplicates_excluded']} in {s['duplicate_groups']} groups"],
        ["tagged", f"{s['tagged']} new, {s['tag_skipped']} already ({s['model']})"],
        *([["classified", "{assigned} named, {clustered} in {clusters} unknown clusters, {unsorted} unsorted"
            .format(**s["classified"])]] if s.get("classified") else []),
        ["tags pruned", f"{s['tags_pruned']} " + ", ".join(f"{k} {v}" for k, v in s["pruned_by_rule"].items())],
        ["repeats", ", ".join(f"{k or '(root)'} {v}" for k, v in s["repeats"].items())],
        ["epochs / steps", f"{s['epochs']} / {s['total_steps']}"],
        ["exported", f"{s['exported']} images, {s['format']}, in {s['output']}"],
    ]))
    for f in s["failures"]:
        console.print(f"[red]failed[/red] {shown(f.get('path'))}: {shown(f.get('reason') or f.get('error'))}")
    print_warnings(console, s["warnings"])
    if s.get("train_command"):
        console.print(f"train with: {s['train_command']}", markup=False)


def register(app: typer.Typer) -> None:
    @app.command()
    def run(
        ctx: typer.Context,
        dataset: Path = DATASET_ARG,
        out: Path = typer.Argument(..., help="The export folder."),
        fmt: Optional[str] = typer.Option(None, "--format", "-f", help=FORMAT_HELP),
        model: Optional[str] = typer.Option(None, "--model", "-m", help="Tagger (default: the recipe's)."),
        min_size: Optional[int] = typer.Option(None, "--min-size", min=1, help=MIN_SIZE_HELP),
        threshold: str = typer.Option("default", "--threshold", help="Dedup threshold preset or value."),
        copy: bool = typer.Option(False, "--copy", help=COPY_HELP),
        link: bool = typer.Option(False, "--link", help=LINK_HELP),
        replace: bool = typer.Option(False, "--replace", help=REPLACE_HELP),
        steps: Optional[int] = typer.Option(None, "--steps", min=1, help="Target total steps."),
        json_output: bool = JSON_OPTION,
    ) -> None:
        """The whole workflow with the recipe's settings: scan, dedup, tag, curate, plan, export."""
        from loraprep.ops.run import run as run_all

        with progress_bar("scan") as update:
            summary = run_all(dataset, out, fmt=fmt, model=model, min_size=min_size, threshold=threshold,
                              mode=mode(copy, link), steps=steps, replace=replace, progress=update,
                              on_stage=lambda name: stderr_console().log(f"{name}...") if stderr_console().is_terminal else None)
        emit(ctx, json_output, summary, _render_run)
