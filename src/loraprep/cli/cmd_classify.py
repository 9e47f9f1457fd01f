"""`loraprep classify`: name each image's character from reference pictures; cluster the rest."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer

from loraprep.cli.model_options import BATCH_OPTION, DEVICE_OPTION, REVISION_OPTION
from loraprep.cli.output import JSON_OPTION, emit, progress_bar, shown, stdout_console


def register(app: typer.Typer) -> None:
    @app.command()
    def classify(
        ctx: typer.Context,
        dataset: Path = typer.Argument(..., help="The dataset folder (scanned first)."),
        refs: Optional[Path] = typer.Option(None, "--refs", help="Reference folder: refs/<character name>/*.png. "
                                                                 "Default: the recipe's [classify] refs."),
        model: Optional[str] = typer.Option(None, "--model", "-m",
                                            help="CCIP model: registry name (ccip-caformer-24-randaug-pruned, ...), "
                                                 "hub repo id, or a local folder with model_feat.onnx, "
                                                 "model_metrics.onnx, metrics.json, cluster.json."),
        revision: Optional[str] = REVISION_OPTION,
        assign_concepts: Optional[bool] = typer.Option(None, "--assign-concepts/--no-assign-concepts",
                                                       help="Also move images into concepts named after their "
                                                            "characters (one undoable batch)."),
        batch: Optional[int] = BATCH_OPTION,
        device: str = DEVICE_OPTION,
        json_output: bool = JSON_OPTION,
    ) -> None:
        """Sort images by character (CCIP embeddings, stored): nearest reference, else unknown-1, unknown-2, ..."""
        from loraprep import ops

        with progress_bar("embedding", unit="img") as update:
            report = ops.classify(dataset, refs=refs, model=model, revision=revision, device=device,
                                  assign_concepts=assign_concepts, batch_size=batch, progress=update)

        def render(r: dict) -> None:
            console = stdout_console()
            console.print(f"{shown(r['model'])}: {r['assigned']} images named after a reference character "
                          f"({', '.join(shown(c) for c in r['characters']) or 'no references'}), {r['clustered']} in "
                          f"{r['clusters']} unknown clusters, {r['unsorted']} unsorted; embedded {r['embedded']}, "
                          f"failed {r['failed']}; {r['changed']} changed, {r['moved']} moved")
            for e in r["errors"]:
                console.print(f"[red]failed[/red] {shown(e['path'])}: {shown(e['error'])}")
            console.print(f"next: `loraprep edit {dataset}` to name the unknown clusters, "
                          f"`loraprep undo {dataset}` to take this back")

        emit(ctx, json_output, report, render)
