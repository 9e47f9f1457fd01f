"""`loraprep tag`: run a WD tagger over the active images, keeping every score >= 0.05."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer

from loraprep.cli.engine_options import ADDRESS_OPTION, ENGINE_OPTION, GPUS_OPTION, IMAGES_OPTION
from loraprep.cli.model_options import BATCH_OPTION, DEVICE_OPTION, REVISION_OPTION
from loraprep.cli.output import JSON_OPTION, emit, progress_bar, shown, stdout_console


def register(app: typer.Typer) -> None:
    @app.command()
    def tag(
        ctx: typer.Context,
        dataset: Path = typer.Argument(..., help="The dataset folder (scanned first)."),
        model: Optional[str] = typer.Option(None, "--model", "-m",
                                            help="Registry name (wd-swinv2-v3, ...), hub repo id, or a local folder "
                                                 "with model.onnx + selected_tags.csv. Default: the recipe's, "
                                                 "else wd-swinv2-v3."),
        revision: Optional[str] = REVISION_OPTION,
        general: Optional[float] = typer.Option(None, "--general", min=0.0, max=1.0,
                                                help="General-tag threshold to show the result with (scores are all kept)."),
        character: Optional[float] = typer.Option(None, "--character", min=0.0, max=1.0,
                                                  help="Character-tag threshold to show the result with."),
        mcut: bool = typer.Option(False, "--mcut", help="Show the result with MCut thresholds."),
        batch: Optional[int] = BATCH_OPTION,
        device: str = DEVICE_OPTION,
        force: bool = typer.Option(False, "--force", help="Re-tag images this model@revision already tagged."),
        engine: str = ENGINE_OPTION,
        address: Optional[str] = ADDRESS_OPTION,
        gpus_per_worker: float = GPUS_OPTION,
        images: Optional[str] = IMAGES_OPTION,
        json_output: bool = JSON_OPTION,
    ) -> None:
        """Auto-tag images with a SmilingWolf WD tagger (v2/v3) in ONNX Runtime."""
        from loraprep import ops

        with progress_bar("tagging", unit="img") as update:
            report = ops.tag(dataset, model=model, revision=revision, batch_size=batch, device=device,
                             force=force, progress=update, engine=engine, address=address,
                             gpus_per_worker=gpus_per_worker, images=images)
        if general is not None or character is not None or mcut:
            from loraprep.ops.curate import tags_report

            report["summary"] = tags_report(dataset, top=15, general=general, character=character, mcut=mcut or None)

        def render(r: dict) -> None:
            console = stdout_console()
            rate = f", {r['images_per_s']} img/s" if r.get("images_per_s") else ""
            console.print(f"{r['model']}: tagged {r['tagged']}, skipped {r['skipped']} (already tagged), "
                          f"failed {r['failed']}{rate}")
            if r.get("not_tagged_by_recipe"):
                console.print(f"not tagged: {r['not_tagged_by_recipe']} (the recipe's [tagger] use = "
                              f"\"{r['use']}\"; their captions start from their imported tags)")
            if r.get("summary"):
                from loraprep.cli.cmd_tags import render_tags

                render_tags(r["summary"])
            for e in r["errors"]:
                console.print(f"[red]failed[/red] {shown(e['path'])}: {shown(e['error'])}")
            console.print(f"next: `loraprep tags {dataset}` to see tag frequencies, "
                          f"`loraprep tags {dataset} --general 0.5` to try another threshold (no re-run)")

        emit(ctx, json_output, report, render)
