"""`loraprep dedup`: find exact and near-duplicate groups; review them; record keep/split decisions."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer

from loraprep.cli.engine_options import ADDRESS_OPTION, ENGINE_OPTION, GPUS_OPTION, IMAGES_OPTION
from loraprep.cli.output import JSON_OPTION, emit, print_warnings, progress_bar, shown, stdout_console, table


def _render_groups(report: dict) -> None:
    console = stdout_console()
    groups = report["groups"]
    largest = sorted(groups, key=lambda g: -len(g["members"]))[:15]
    rows = []
    for g in largest:
        keeper = g["keeper"]["path"] if isinstance(g["keeper"], dict) else next(
            (m["path"] for m in g["members"] if m.get("keeper")), g["keeper"])
        others = [m for m in g["members"] if not m.get("keeper")]
        rows.append([g["group"], keeper, len(others),
                     "; ".join(f"{m['path']} ({m['why']}, {m['distance']:g})" for m in others[:3])
                     + (" ..." if len(others) > 3 else "")])
    if rows:
        console.print(table(f"{len(groups)} duplicate group(s)", ["group", "keeper", "copies", "copies (why, distance)"],
                            rows))
    else:
        console.print("no duplicates found")
    if "excluded" in report:
        verb = "would exclude" if report.get("dry_run") else "excluded"
        console.print(f"{verb} {report['excluded']} image(s) of {report['images']}"
                      + (f"; contact sheets in {report['reports']}" if report.get("reports") else ""))
    for c in report.get("carried", []):
        what = [f"{c['caption_tags']} caption tag(s)" if c["caption_tags"] else "",
                f"{c['edits']} edit(s)" if c["edits"] else "", f"tier '{c['tier']}'" if c["tier"] else ""]
        source = f" from {c['from']}" if c["from"] else ""
        console.print(f"carried {', '.join(w for w in what if w) or 'nothing'}{shown(source)} to the keeper "
                      f"{shown(c['keeper'])}")
    for g in report.get("groups", []):
        if g.get("carried_from"):
            console.print(f"group {g['group']}: the keeper's caption came from {shown(', '.join(g['carried_from']))}")
    print_warnings(console, report.get("warnings", []))
    if report.get("reports") and "excluded" not in report:
        console.print(f"contact sheets in {report['reports']}")
    for e in report.get("errors", []):
        console.print(f"[red]skipped[/red] {shown(e['path'])}: {shown(e['error'])}")


def register(app: typer.Typer) -> None:
    @app.command()
    def dedup(
        ctx: typer.Context,
        dataset: Path = typer.Argument(..., help="The dataset folder (scanned first)."),
        action: Optional[str] = typer.Argument(None, help="Optional: `keep ID` (make this image the keeper) or "
                                                          "`split GROUP` (these are not duplicates)."),
        subject: Optional[str] = typer.Argument(None, help="The image id/path for keep, the group id for split."),
        threshold: str = typer.Option("default", "--threshold",
                                      help="strict | default | loose, a number from 0 to 50 (% of the picture "
                                           "changed), or a similarity over 50 / ending in % as dupeGuru's "
                                           "hardness (97 = 3% changed)."),
        dry_run: bool = typer.Option(False, "--dry-run", help="Show the groups, change nothing."),
        across_concepts: bool = typer.Option(False, "--across-concepts",
                                             help="Also exclude copies found in another concept."),
        review: bool = typer.Option(False, "--review", help="List the groups of the last run and draw their contact "
                                                            "sheets (.loraprep/reports/dedup/)."),
        sheets: bool = typer.Option(False, "--sheets", help="Also draw a contact sheet per group (decodes every "
                                                            "grouped picture again; --review draws them too)."),
        engine: str = ENGINE_OPTION,
        address: Optional[str] = ADDRESS_OPTION,
        gpus_per_worker: float = GPUS_OPTION,
        images: Optional[str] = IMAGES_OPTION,
        json_output: bool = JSON_OPTION,
    ) -> None:
        """Exact and near-duplicates (resized, re-encoded, cropped, mirrored, cut-outs): keep the best copy."""
        from loraprep.errors import UsageError
        from loraprep.ops import dedup_ops

        if action is None:
            if review:
                report = dedup_ops.review(dataset)
            else:
                with progress_bar("describing") as update:
                    report = dedup_ops.dedup(dataset, threshold=threshold, dry_run=dry_run,
                                             across_concepts=across_concepts, sheets=sheets, progress=update,
                                             engine=engine, address=address, gpus_per_worker=gpus_per_worker,
                                             images=images)
        elif action in ("keep", "split") and subject:
            report = getattr(dedup_ops, action)(dataset, subject)
        else:
            raise UsageError(f"unknown dedup action '{action}'" if action not in ("keep", "split")
                             else f"`dedup {action}` needs an id",
                             hint="loraprep dedup DATASET keep ID | loraprep dedup DATASET split GROUP")
        emit(ctx, json_output, report, _render_groups)
