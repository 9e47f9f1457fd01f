"""`loraprep edit`: the local web tag editor on 127.0.0.1."""

from __future__ import annotations

from pathlib import Path

import typer


def register(app: typer.Typer) -> None:
    @app.command()
    def edit(
        dataset: Path = typer.Argument(..., help="The dataset folder (scanned first with `loraprep scan`)."),
        port: int = typer.Option(0, "--port", min=0, max=65535, help="Port on 127.0.0.1; 0 picks a free one."),
        no_browser: bool = typer.Option(False, "--no-browser", help="Print the URL but do not open a browser."),
    ) -> None:
        """Open the web tag editor: gallery, filters, tag edits with undo, duplicates, plan and export."""
        from loraprep.web.server import serve

        serve(dataset, port=port, open_browser=not no_browser)
