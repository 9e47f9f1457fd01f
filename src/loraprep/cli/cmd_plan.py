"""`loraprep plan`: repeats per concept and tier, epochs and total steps."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer

from loraprep.cli.output import DATASET_ARG, JSON_OPTION, emit, print_warnings, stdout_console, table


def render_plan(plan: dict) -> None:
    console = stdout_console()
    rows = [[r["concept"] or "(root)", r["tier"], r["images"], r["repeats"], f"{r['steps_per_epoch']:g}",
             f"{r['share']:.0%}"] for r in plan["rows"]]
    console.print(table("Plan", ["concept", "tier", "images", "repeats", "steps/epoch", "share"], rows))
    console.print(f"{plan['epochs']} epochs x {plan['steps_per_epoch']} steps = {plan['total_steps']} steps "
                  f"(target {plan['target_steps']}, batch {plan['batch_size']})")
    print_warnings(console, plan.get("warnings", []))


def register(app: typer.Typer) -> None:
    @app.command()
    def plan(
        ctx: typer.Context,
        dataset: Path = DATASET_ARG,
        steps: Optional[int] = typer.Option(None, "--steps", min=1, help="Target total steps (default: recipe, 1500)."),
        batch: Optional[int] = typer.Option(None, "--batch", min=1, help="Batch size (default: recipe, 2)."),
        epochs: Optional[int] = typer.Option(None, "--epochs", min=1, help="Fix the number of epochs."),
        rebalance: bool = typer.Option(False, "--rebalance", help="Balance kohya `N_name` folders instead of "
                                                                  "keeping their N (also: [export] folder_repeats)."),
        json_output: bool = JSON_OPTION,
    ) -> None:
        """Repeats per concept and tier, epochs and total steps."""
        from loraprep.ops.plan import plan as make

        emit(ctx, json_output, make(dataset, steps=steps, batch=batch, epochs=epochs, rebalance=rebalance or None),
             render_plan)
