"""`loraprep tags`, `curate`, `caption`, `edit-tags`: tag statistics, the recipe's diff, evidence, batch edits."""

from __future__ import annotations

from pathlib import Path
from typing import List, Optional

import typer

from loraprep.cli.output import JSON_OPTION, emit, stdout_console, table


def _render_tags(report: dict) -> None:
    console = stdout_console()
    for c in report["concepts"]:
        rows = [[r["tag"], r["count"], f"{r['frequency']:.0%}", "core" if r["core"] else "", r["trait"] or r["category"],
                 ", ".join(f"{k} {v}" for k, v in r["pruned"].items())] for r in c["tags"]]
        console.print(table(f"{c['concept'] or '(root)'}: {c['images']} images", ["tag", "images", "share", "core",
                                                                                 "category", "pruned by rule"], rows))
    console.print(f"model {report['model'] or '(none: run `loraprep tag`)'}; {_thresholds_line(report['thresholds'])}")


def _thresholds_line(t: dict) -> str:
    """'thresholds general 0.35 (default), character 0.85 (recipe)': each value and where it came from."""
    return (f"thresholds general {t['general']:g} ({t['general_from']}), character {t['character']:g} "
            f"({t['character_from']}){', MCut' if t['mcut'] else ''}")


def _render_curate(report: dict) -> None:
    console = stdout_console()
    rows = [[r["concept"] or "(root)", r["rule"], r["removed"],
             ", ".join(f"{k} ({v})" for k, v in list(r["tags"].items())[:5])] for r in report["rules"]]
    console.print(table("Removed by the recipe's rules", ["concept", "rule", "removed", "tags"], rows))
    if report["added"]:
        console.print(table("Added", ["concept", "tag", "images", "from"],
                            [[a["concept"] or "(root)", a["tag"], a["images"], a["origin"]] for a in report["added"][:20]]))
    if report["written"]:
        console.print(f"written as batch {report['batch_id']} ({report['images_changed']} images); "
                      "`loraprep undo DATASET` reverts it")
    else:
        console.print(f"{report['images_changed']} image(s) would change; nothing written "
                      "(rules apply at export anyway; --write records them in the journal)")


def _render_caption(data: dict) -> None:
    console = stdout_console()
    console.print(data["caption"], markup=False)
    for t in data.get("kept", []):
        score = f" {t['score']:.2f}" if t["score"] is not None else ""
        console.print(f"  + {t['tag']}: {t['source']} ({t['origin']}){score}{' pinned' if t['pinned'] else ''}",
                      markup=False)
    for t in data.get("dropped", []):
        console.print(f"  - {t['tag']}: dropped by {t['rule']} ({t['why']})", markup=False)
    for t in data.get("removed_by_you", []):
        console.print(f"  - {t}: removed by you", markup=False)
    if data.get("thresholds"):
        console.print(f"  {_thresholds_line(data['thresholds'])}", markup=False)


def _render_edit(data: dict) -> None:
    console = stdout_console()
    console.print(f"{data['edit']}: {data['changed']} of {data['selected']} selected image(s) change")
    for ex in data["examples"]:
        console.print(f"  {ex['path']}: {'; '.join(ex['ops'])}", markup=False)
    if data.get("applied"):
        console.print(f"applied as batch {data['batch_id']}; `loraprep undo DATASET` reverts it")
    elif data["changed"]:
        console.print("dry run: nothing written; add --yes to apply")


def register(app: typer.Typer) -> None:
    @app.command()
    def tags(
        ctx: typer.Context,
        dataset: Path = typer.Argument(..., help="The dataset folder."),
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
                                           mcut=mcut), _render_tags)

    @app.command()
    def curate(
        ctx: typer.Context,
        dataset: Path = typer.Argument(..., help="The dataset folder."),
        diff: bool = typer.Option(True, "--diff", help="Show what each rule adds and removes (the default)."),
        write: bool = typer.Option(False, "--write", help="Record the result as one undoable journal batch."),
        json_output: bool = JSON_OPTION,
    ) -> None:
        """Apply the recipe's rules: per rule and per concept, what is added and removed."""
        from loraprep.ops.curate import curate as run_curate

        emit(ctx, json_output, run_curate(dataset, write=write), _render_curate)

    @app.command()
    def caption(
        ctx: typer.Context,
        dataset: Path = typer.Argument(..., help="The dataset folder."),
        image: str = typer.Argument(..., help="Image path relative to the dataset, or its id."),
        why: bool = typer.Option(False, "--why", help="Show the evidence for every tag kept or dropped."),
        json_output: bool = JSON_OPTION,
    ) -> None:
        """Print an image's final caption, exactly as it will be exported."""
        from loraprep.ops.curate import caption as get_caption

        emit(ctx, json_output, get_caption(dataset, image, why=why), _render_caption)

    @app.command(name="edit-tags")
    def edit_tags(
        ctx: typer.Context,
        dataset: Path = typer.Argument(..., help="The dataset folder."),
        action: str = typer.Argument(..., help="add | remove | replace | consolidate | pin | unpin | concept | tier "
                                               "| exclude | include"),
        tags: Optional[List[str]] = typer.Argument(None, help="The tags (for concept/tier: the new name)."),
        to: Optional[str] = typer.Option(None, "--to", help="replace / consolidate: the tag to put in place."),
        front: bool = typer.Option(False, "--front", help="add: at the front of the caption, right after the "
                                                          "trigger and fixed slots, whatever the recipe's order."),
        where: Optional[str] = typer.Option(None, "--where", "-w",
                                            help="Selection: concept:armor AND \"red hair\" AND NOT hat, "
                                                 "score(\"blurry\")>0.6, untagged, tags>30 (default: every image)."),
        yes: bool = typer.Option(False, "--yes", "-y", help="Apply without the dry run."),
        json_output: bool = JSON_OPTION,
    ) -> None:
        """Batch-edit tags (or concept, tier, exclusion) on a selection: a dry run first, one undoable batch."""
        from loraprep.ops.curate import edit_tags as run_edit
        from loraprep.ops.edits import FILE_KINDS, EditOp

        words = list(tags or [])
        if action in ("concept", "tier"):
            edit = EditOp(action, (), words[0] if words else (to or ""))
        elif action in FILE_KINDS:
            edit = EditOp(action)
        else:
            edit = EditOp(action, tuple(words), to or "", "front" if front else "")
        emit(ctx, json_output, run_edit(dataset, edit, where=where, apply=yes), _render_edit)
