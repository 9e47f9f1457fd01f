"""`loraprep crop`: cut crops (derived images) out of the stored detections, as the recipe's [crop] says."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer

from loraprep.cli.output import JSON_OPTION, emit, shown, stdout_console


def register(app: typer.Typer) -> None:
    @app.command()
    def crop(
        ctx: typer.Context,
        dataset: Path = typer.Argument(..., help="The dataset folder (detected first: loraprep detect)."),
        what: Optional[str] = typer.Option(None, "--what", help="person | halfbody | head | face (default: the "
                                                                "recipe's [crop] what, else person)."),
        model: Optional[str] = typer.Option(None, "--model", "-m",
                                            help="Whose stored boxes to use (default: the newest detector that "
                                                 "found --what)."),
        score: Optional[float] = typer.Option(None, "--score", min=0.0, max=1.0,
                                              help="Crop boxes scoring at least this (default: the model card's)."),
        min_size: Optional[int] = typer.Option(None, "--min-size", min=1,
                                               help="Shortest crop side in pixels (default: [crop] min_size, else "
                                                    "the export resolution); smaller boxes are counted, not made."),
        dry_run: bool = typer.Option(False, "--dry-run", help="Say what would be made; make nothing."),
        json_output: bool = JSON_OPTION,
    ) -> None:
        """Cut detected people (or upper bodies, heads) into crops: derived images tagged and exported like any."""
        from loraprep.ops.crop import crop as run_crop

        report = run_crop(dataset, what=what, model=model, score=score, min_size=min_size, dry_run=dry_run)

        def render(r: dict) -> None:
            console = stdout_console()
            verb = "would make" if r["dry_run"] else "made"
            console.print(f"{shown(r['model'])} ({r['what']}, score >= {r['score_threshold']}): {verb} {r['made']} "
                          f"crops from {r['pictures']} pictures; {r['existing']} made before, {r['skipped']} boxes "
                          f"not made, {r['failed']} failed")
            reasons: dict[str, int] = {}
            for s in r["skipped_boxes"]:
                reasons[s["why"].split(":")[0]] = reasons.get(s["why"].split(":")[0], 0) + 1
            for why, n in sorted(reasons.items()):
                console.print(f"  not made ({why}): {n}")
            if any(s["why"].startswith("small") for s in r["skipped_boxes"]):
                console.print(f"  (crops under {r['min_size']} px: lower [crop] min_size, or upscale them)")
            for e in r["errors"]:
                console.print(f"[red]failed[/red] {shown(e['path'])}: {shown(e['error'])}")
            if r.get("batch"):
                console.print(f"one journal batch ({r['batch']}): `loraprep undo {dataset}` takes it back; next: "
                              f"`loraprep tag {dataset}` tags the crops")

        emit(ctx, json_output, report, render)
