"""`loraprep plan`, `export` and `run`: balance, write for a trainer, or do the whole workflow."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer

from loraprep.cli.cmd_scan import MIN_SIZE_HELP
from loraprep.cli.output import JSON_OPTION, emit, progress_bar, shown, stderr_console, stdout_console, table

FORMAT_HELP = "kohya | kohya-finetune | hf | onetrainer | ai-toolkit | simpletuner (default: the recipe's, else kohya)"
LINK_HELP = ("Hard-link images instead of copying them: no extra disk, but exported images share the sources' "
             "bytes, so editing one in place edits the original.")
COPY_HELP = "Copy images, as copy-on-write clones where the file system can (the default)."
REPLACE_HELP = ("Replace the output folder even when it holds files loraprep did not write "
                "(they are deleted). Without it, such a folder is refused and the files are named.")


def _mode(copy: bool, link: bool) -> str:
    from loraprep.errors import UsageError

    if copy and link:
        raise UsageError("--copy and --link exclude each other", hint="copying is the default; --link opts in to hard links")
    return "link" if link else "copy"


def _render_plan(plan: dict) -> None:
    console = stdout_console()
    rows = [[r["concept"] or "(root)", r["tier"], r["images"], r["repeats"], f"{r['steps_per_epoch']:g}",
             f"{r['share']:.0%}"] for r in plan["rows"]]
    console.print(table("Plan", ["concept", "tier", "images", "repeats", "steps/epoch", "share"], rows))
    console.print(f"{plan['epochs']} epochs x {plan['steps_per_epoch']} steps = {plan['total_steps']} steps "
                  f"(target {plan['target_steps']}, batch {plan['batch_size']})")
    for w in plan.get("warnings", []):
        console.print(f"[yellow]warning[/yellow] {shown(w)}")


def _render_export(report: dict) -> None:
    console = stdout_console()
    counts = report.get("counts", {})
    console.print(f"exported {counts.get('images')} images as {report['format']} to {report['out_dir']} "
                  f"({counts.get('copy', 0)} copied, {counts.get('reflink', 0)} cloned, {counts.get('link', 0)} linked, "
                  f"{counts.get('convert', 0)} converted)")
    if report.get("plan"):
        _render_plan(report["plan"])
    for w in report.get("warnings", []):
        console.print(f"[yellow]warning[/yellow] {shown(w)}")
    if report.get("train_command"):
        console.print(f"train with: {report['train_command']}", markup=False)


def _render_run(s: dict) -> None:
    console = stdout_console()
    console.print(table("loraprep run", ["", ""], [  # a two-column summary: no header row
        ["images in", s["images"]], ["failed", s["failed"]], ["small", s["small"]],
        ["duplicates excluded", f"{s['duplicates_excluded']} in {s['duplicate_groups']} groups"],
        ["tagged", f"{s['tagged']} new, {s['tag_skipped']} already ({s['model']})"],
        ["tags pruned", f"{s['tags_pruned']} " + ", ".join(f"{k} {v}" for k, v in s["pruned_by_rule"].items())],
        ["repeats", ", ".join(f"{k or '(root)'} {v}" for k, v in s["repeats"].items())],
        ["epochs / steps", f"{s['epochs']} / {s['total_steps']}"],
        ["exported", f"{s['exported']} images, {s['format']}, in {s['output']}"],
    ]))
    for f in s["failures"]:
        console.print(f"[red]failed[/red] {shown(f.get('path'))}: {shown(f.get('reason') or f.get('error'))}")
    for w in s["warnings"]:
        console.print(f"[yellow]warning[/yellow] {shown(w)}")
    if s.get("train_command"):
        console.print(f"train with: {s['train_command']}", markup=False)


def register(app: typer.Typer) -> None:
    @app.command()
    def plan(
        ctx: typer.Context,
        dataset: Path = typer.Argument(..., help="The dataset folder."),
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
             _render_plan)

    @app.command()
    def export(
        ctx: typer.Context,
        dataset: Path = typer.Argument(..., help="The dataset folder."),
        out: Path = typer.Argument(..., help="The export folder (outside the dataset; replaced atomically)."),
        fmt: Optional[str] = typer.Option(None, "--format", "-f", help=FORMAT_HELP),
        copy: bool = typer.Option(False, "--copy", help=COPY_HELP),
        link: bool = typer.Option(False, "--link", help=LINK_HELP),
        replace: bool = typer.Option(False, "--replace", help=REPLACE_HELP),
        preset: Optional[str] = typer.Option(None, "--preset", help="kohya, kohya-finetune: also write train.toml (lora | locon | loha)."),
        steps: Optional[int] = typer.Option(None, "--steps", min=1, help="Target total steps for the plan."),
        batch: Optional[int] = typer.Option(None, "--batch", min=1, help="Batch size for the plan."),
        json_output: bool = JSON_OPTION,
    ) -> None:
        """Write the curated dataset for a trainer, with its config."""
        from loraprep.ops.export import export as run_export

        report = run_export(dataset, out, fmt=fmt, mode=_mode(copy, link), preset=preset, steps=steps,
                            batch=batch, replace=replace)
        emit(ctx, json_output, report, _render_export)

    @app.command()
    def run(
        ctx: typer.Context,
        dataset: Path = typer.Argument(..., help="The dataset folder."),
        out: Path = typer.Argument(..., help="The export folder."),
        fmt: Optional[str] = typer.Option(None, "--format", "-f", help=FORMAT_HELP),
        model: Optional[str] = typer.Option(None, "--model", "-m", help="Tagger (default: the recipe's)."),
        min_size: Optional[int] = typer.Option(None, "--min-size", min=1, help=MIN_SIZE_HELP),
        threshold: str = typer.Option("default", "--threshold", help="Dedup threshold preset or value."),
        copy: bool = typer.Option(False, "--copy", help=COPY_HELP),
        link: bool = typer.Option(False, "--link", help=LINK_HELP),
        replace: bool = typer.Option(False, "--replace", help=REPLACE_HELP),
        steps: Optional[int] = typer.Option(None, "--steps", min=1, help="Target total steps."),
        json_output: bool = JSON_OPTION,
    ) -> None:
        """The whole workflow with the recipe's settings: scan, dedup, tag, curate, plan, export."""
        from loraprep.ops.run import run as run_all

        with progress_bar("scan") as update:
            summary = run_all(dataset, out, fmt=fmt, model=model, min_size=min_size, threshold=threshold,
                              mode=_mode(copy, link), steps=steps, replace=replace, progress=update,
                              on_stage=lambda name: stderr_console().log(f"{name}...") if stderr_console().is_terminal else None)
        emit(ctx, json_output, summary, _render_run)
