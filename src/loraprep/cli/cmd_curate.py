"""`loraprep curate`: the recipe's diff per rule and concept; --write records it as one batch."""

from __future__ import annotations

from pathlib import Path

import typer

from loraprep.cli.output import DATASET_ARG, JSON_OPTION, emit, stdout_console, table


def _render_curate(report: dict) -> None:
    console = stdout_console()
    rows = [[r["concept"] or "(root)", r["rule"], r["removed"],
             ", ".join(f"{k} ({v})" for k, v in list(r["tags"].items())[:5])] for r in report["rules"]]
    console.print(table("Removed by the recipe's rules", ["concept", "rule", "removed", "tags"], rows))
    if report["added"]:
        console.print(table("Added", ["concept", "tag", "images", "from"],
                            [[a["concept"] or "(root)", a["tag"], a["images"], a["origin"]] for a in report["added"][:20]]))
    if report["written"]:
        console.print(f"written as batch {report['batch_id']} ({report['images_changed']} images); "
                      "`loraprep undo DATASET` reverts it")
    else:
        console.print(f"{report['images_changed']} image(s) would change; nothing written "
                      "(rules apply at export anyway; --write records them in the journal)")


def register(app: typer.Typer) -> None:
    @app.command()
    def curate(
        ctx: typer.Context,
        dataset: Path = DATASET_ARG,
        diff: bool = typer.Option(True, "--diff", help="Show what each rule adds and removes (the default)."),
        write: bool = typer.Option(False, "--write", help="Record the result as one undoable journal batch."),
        json_output: bool = JSON_OPTION,
    ) -> None:
        """Apply the recipe's rules: per rule and per concept, what is added and removed."""
        from loraprep.ops.curate import curate as run_curate

        emit(ctx, json_output, run_curate(dataset, write=write), _render_curate)
