"""`loraprep caption`: an image's final caption as exported; --why shows every tag's evidence."""

from __future__ import annotations

from pathlib import Path

import typer

from loraprep.cli.cmd_tags import thresholds_line
from loraprep.cli.output import DATASET_ARG, JSON_OPTION, emit, stdout_console


def _render_caption(data: dict) -> None:
    console = stdout_console()
    console.print(data["caption"], markup=False)
    source = data.get("source")
    if source and data.get("kept") is not None:  # with --why: where the picture came from
        console.print(f"  from {source['origin']} ({source.get('url')}), score {source.get('score')}, "
                      f"rating {source.get('rating')}", markup=False)
    for t in data.get("kept", []):
        score = f" {t['score']:.2f}" if t["score"] is not None else ""
        console.print(f"  + {t['tag']}: {t['source']} ({t['origin']}){score}{' pinned' if t['pinned'] else ''}",
                      markup=False)
    for t in data.get("dropped", []):
        console.print(f"  - {t['tag']}: dropped by {t['rule']} ({t['why']})", markup=False)
    for t in data.get("removed_by_you", []):
        console.print(f"  - {t}: removed by you", markup=False)
    if data.get("thresholds"):
        console.print(f"  {thresholds_line(data['thresholds'])}", markup=False)


def register(app: typer.Typer) -> None:
    @app.command()
    def caption(
        ctx: typer.Context,
        dataset: Path = DATASET_ARG,
        image: str = typer.Argument(..., help="Image path relative to the dataset, or its id."),
        why: bool = typer.Option(False, "--why", help="Show the evidence for every tag kept or dropped."),
        json_output: bool = JSON_OPTION,
    ) -> None:
        """Print an image's final caption, exactly as it will be exported."""
        from loraprep.ops.curate import caption as get_caption

        emit(ctx, json_output, get_caption(dataset, image, why=why), _render_caption)
