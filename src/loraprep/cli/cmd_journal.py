"""`loraprep history`, `undo`, `redo`: walk the persistent edit journal by batch."""

from __future__ import annotations

from pathlib import Path

import typer

from loraprep.cli.output import DATASET_ARG, JSON_OPTION, emit, stdout_console, table


def register(app: typer.Typer) -> None:
    @app.command()
    def history(
        ctx: typer.Context,
        dataset: Path = DATASET_ARG,
        limit: int = typer.Option(30, "--limit", min=1, help="How many batches to list."),
        json_output: bool = JSON_OPTION,
    ) -> None:
        """List the journal's batches, newest first."""
        from loraprep.cli.render_health import render_unfinished_runs
        from loraprep.ops.history import history as read

        found = read(dataset, limit=limit)
        batches, unfinished = found["batches"], found["unfinished_runs"]

        def render(rows: list[dict]) -> None:
            stdout_console().print(table("History (newest first)",
                                         ["batch", "when", "what", "source", "by", "state", "ops"],
                                         [[b["id"], b["at"][:19], b["label"], b["source"], b["via"] or "?",
                                           b["state"], b["tag_ops"] + b["file_ops"]] for b in rows]))
            render_unfinished_runs(unfinished, found["dataset"])

        emit(ctx, json_output, batches, render)

    for name, verb in (("undo", "Undo"), ("redo", "Redo")):
        _register_step(app, name, verb)


def _register_step(app: typer.Typer, name: str, verb: str) -> None:
    def step(
        ctx: typer.Context,
        dataset: Path = DATASET_ARG,
        json_output: bool = JSON_OPTION,
    ) -> None:
        from loraprep.ops.history import step as journal_step

        emit(ctx, json_output, journal_step(dataset, name),
             lambda b: stdout_console().print(f"{name}: batch {b['id']} ({b['label']}), now {b['state']}"))

    step.__doc__ = f"{verb} the latest {'edit' if name == 'undo' else 'undone edit'} (a whole batch)."
    app.command(name=name)(step)
