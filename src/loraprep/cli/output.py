"""Output helpers shared by every command: JSON on stdout or Rich tables, progress bars on stderr."""

from __future__ import annotations

import contextlib
import functools
import json
import sys
from typing import Any, Callable, Iterator

import typer

DATASET_ARG = typer.Argument(..., help="The dataset folder.")
JSON_OPTION = typer.Option(False, "--json", help="Print one JSON document on stdout and nothing else there.")


def json_wanted(ctx: typer.Context, local: bool) -> bool:
    """--json given before or after the command name."""
    root = ctx.find_root()
    return bool(local or (root.obj or {}).get("json"))


def stdout_console():
    return _console_class()(highlight=False, soft_wrap=True)


def stderr_console():
    return _console_class()(stderr=True, highlight=False)


@functools.lru_cache(maxsize=None)
def _console_class():
    """A Rich console that prints every text through ``printable``: the one place names from disk are made safe
    for a person's terminal (a newline in a folder name no longer splits a message, a bidi override no longer
    reverses a line)."""
    from rich.console import Console

    from loraprep.ops import printable

    class PrintableConsole(Console):
        def render_str(self, text: str, **kwargs):
            return super().render_str(printable(text), **kwargs)

    return PrintableConsole


def shown(text) -> str:
    """A value from disk placed inside a line that uses Rich markup: ``[`` never starts a style."""
    from rich.markup import escape

    return escape(str(text))


def print_warnings(console, warnings) -> None:
    """One yellow `warning` line per sentence; the sentences name files, so their text is shown, never styled."""
    for w in warnings:
        console.print(f"[yellow]warning[/yellow] {shown(w)}")


def emit(ctx: typer.Context, local_json: bool, data: Any, render: Callable[[Any], None]) -> None:
    """Print ``data`` as JSON (stdout only) or let ``render`` draw it for a person."""
    if json_wanted(ctx, local_json):
        sys.stdout.write(json.dumps(data, indent=2, ensure_ascii=False, default=str) + "\n")
        sys.stdout.flush()
    else:
        render(data)


@contextlib.contextmanager
def progress_bar(label: str, unit: str = "files") -> Iterator[Callable[[int, int], None]]:
    """A transient progress bar on stderr; yields an ``update(done, total)`` callback."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    console = stderr_console()
    if not console.is_terminal:  # logs and pipes get no redraw noise
        yield lambda done, total: None
        return
    columns = [TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(),
               TextColumn("{task.fields[rate]}"), TimeElapsedColumn()]
    with Progress(*columns, console=console, transient=True) as progress:
        task = progress.add_task(label, total=None, rate="")

        def update(done: int, total: int) -> None:
            elapsed = progress.tasks[0].elapsed or 0
            rate = f"{done / elapsed:.1f} {unit}/s" if elapsed > 0 and done else ""
            progress.update(task, completed=done, total=total, rate=rate)

        yield update


def table(title: str | None, columns: list[str], rows: list[list[Any]]):
    from rich.table import Table

    t = Table(title=title, title_justify="left", show_header=any(columns))
    for i, column in enumerate(columns):
        t.add_column(column, justify="left" if i == 0 else "right")
    for row in rows:
        t.add_row(*[("" if v is None else str(v)) for v in row])
    return t
