"""`loraprep history`, `undo`, `redo`: walk the persistent edit journal by batch."""

from __future__ import annotations

from pathlib import Path

import typer

from loraprep.cli.output import JSON_OPTION, emit, stdout_console, table


def _batch_dict(b) -> dict:
    return {"id": b.id, "at": b.at, "label": b.label, "source": b.source, "state": b.state,
            "tag_ops": b.tag_ops, "file_ops": b.file_ops, "via": b.via}


def register(app: typer.Typer) -> None:
    @app.command()
    def history(
        ctx: typer.Context,
        dataset: Path = typer.Argument(..., help="The dataset folder."),
        limit: int = typer.Option(30, "--limit", min=1, help="How many batches to list."),
        json_output: bool = JSON_OPTION,
    ) -> None:
        """List the journal's batches, newest first."""
        from loraprep.store import journal
        from loraprep.store.db import open_store

        from loraprep.cli.render_health import render_unfinished_runs
        from loraprep.store.runs import unfinished_runs

        with open_store(dataset) as store:
            batches = [_batch_dict(b) for b in journal.history(store, limit=limit)]
            unfinished = unfinished_runs(store)

        def render(rows: list[dict]) -> None:
            stdout_console().print(table("History (newest first)",
                                         ["batch", "when", "what", "source", "by", "state", "ops"],
                                         [[b["id"], b["at"][:19], b["label"], b["source"], b["via"] or "?",
                                           b["state"], b["tag_ops"] + b["file_ops"]] for b in rows]))
            render_unfinished_runs(unfinished, str(store.root))

        emit(ctx, json_output, batches, render)

    for name, verb in (("undo", "Undo"), ("redo", "Redo")):
        _register_step(app, name, verb)


def _register_step(app: typer.Typer, name: str, verb: str) -> None:
    def step(
        ctx: typer.Context,
        dataset: Path = typer.Argument(..., help="The dataset folder."),
        json_output: bool = JSON_OPTION,
    ) -> None:
        from loraprep.store import journal
        from loraprep.store.db import open_store

        with open_store(dataset) as store:
            batch = getattr(journal, name)(store)
        emit(ctx, json_output, _batch_dict(batch),
             lambda b: stdout_console().print(f"{name}: batch {b['id']} ({b['label']}), now {b['state']}"))

    step.__doc__ = f"{verb} the latest {'edit' if name == 'undo' else 'undone edit'} (a whole batch)."
    app.command(name=name)(step)
