"""`loraprep tags`: tag frequencies per concept, core tags, categories, and what the rules prune."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer

from loraprep.cli.output import DATASET_ARG, JSON_OPTION, emit, stdout_console, table


def render_tags(report: dict) -> None:
    console = stdout_console()
    for c in report["concepts"]:
        rows = [[r["tag"], r["count"], f"{r['frequency']:.0%}", "core" if r["core"] else "", r["trait"] or r["category"],
                 ", ".join(f"{k} {v}" for k, v in r["pruned"].items())] for r in c["tags"]]
        console.print(table(f"{c['concept'] or '(root)'}: {c['images']} images", ["tag", "images", "share", "core",
                                                                                 "category", "pruned by rule"], rows))
    console.print(f"model {report['model'] or '(none: run `loraprep tag`)'}; {thresholds_line(report['thresholds'])}")


def thresholds_line(t: dict) -> str:
    """'thresholds general 0.35 (default), character 0.85 (recipe)': each value and where it came from."""
    return (f"thresholds general {t['general']:g} ({t['general_from']}), character {t['character']:g} "
            f"({t['character_from']}){', MCut' if t['mcut'] else ''}")


def register(app: typer.Typer) -> None:
    @app.command()
    def tags(
        ctx: typer.Context,
        dataset: Path = DATASET_ARG,
        concept: Optional[str] = typer.Option(None, "--concept", "-c", help="Only this concept."),
        top: Optional[int] = typer.Option(40, "--top", min=1, help="Show the N most frequent tags per concept."),
        general: Optional[float] = typer.Option(None, "--general", min=0.0, max=1.0, help="Try another general threshold."),
        character: Optional[float] = typer.Option(None, "--character", min=0.0, max=1.0, help="Try another character threshold."),
        mcut: Optional[bool] = typer.Option(None, "--mcut/--no-mcut", help="Try MCut thresholds."),
        json_output: bool = JSON_OPTION,
    ) -> None:
        """Tag frequencies per concept, core tags, categories and what the recipe would prune."""
        from loraprep.ops.curate import tags_report

        emit(ctx, json_output, tags_report(dataset, concept=concept, top=top, general=general, character=character,
                                           mcut=mcut), render_tags)
