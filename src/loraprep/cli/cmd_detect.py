"""`loraprep detect`: run a YOLO anime detector (person, halfbody, head, face), keeping every box >= 0.05."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer

from loraprep.cli.model_options import BATCH_OPTION, DEVICE_OPTION, REVISION_OPTION
from loraprep.cli.output import JSON_OPTION, emit, progress_bar, shown, stdout_console


def register(app: typer.Typer) -> None:
    @app.command()
    def detect(
        ctx: typer.Context,
        dataset: Path = typer.Argument(..., help="The dataset folder (scanned first)."),
        what: str = typer.Option("person", "--what", help="What to find: person | halfbody | head | face "
                                                          "(picks the registry's detector for it)."),
        model: Optional[str] = typer.Option(None, "--model", "-m",
                                            help="Registry name (person-v1.1-m, head-v2.0-s, ...), hub repo id, or "
                                                 "a local folder with model.onnx. Default: the one for --what."),
        revision: Optional[str] = REVISION_OPTION,
        batch: Optional[int] = BATCH_OPTION,
        device: str = DEVICE_OPTION,
        force: bool = typer.Option(False, "--force", help="Detect again on images this model@revision has seen."),
        json_output: bool = JSON_OPTION,
    ) -> None:
        """Find people, upper bodies, heads or faces with deepghs' YOLO anime detectors in ONNX Runtime."""
        from loraprep import ops

        with progress_bar("detecting", unit="img") as update:
            report = ops.detect(dataset, what=what, model=model, revision=revision, batch_size=batch,
                                device=device, force=force, progress=update)

        def render(r: dict) -> None:
            console = stdout_console()
            rate = f", {r['images_per_s']} img/s" if r.get("images_per_s") else ""
            console.print(f"{shown(r['model'])}: detected on {r['detected']}, skipped {r['skipped']} (already seen), "
                          f"failed {r['failed']}{rate}")
            console.print(f"{r['boxes']} boxes score >= {r['score_threshold']} (the model card's threshold); "
                          f"{r['multi']} images hold more than one")
            for e in r["errors"]:
                console.print(f"[red]failed[/red] {shown(e['path'])}: {shown(e['error'])}")
            console.print(f"next: `loraprep edit-tags {dataset} exclude --where 'npeople>1'` previews multi-person pictures, "
                          f"`loraprep crop {dataset}` cuts crops as the recipe's \\[crop] says")

        emit(ctx, json_output, report, render)
