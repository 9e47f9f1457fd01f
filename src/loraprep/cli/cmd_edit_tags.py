"""`loraprep edit-tags`: batch edits on a selection, a dry run first, one undoable batch."""

from __future__ import annotations

from pathlib import Path
from typing import List, Optional

import typer

from loraprep.cli.output import DATASET_ARG, JSON_OPTION, emit, stdout_console


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
    @app.command(name="edit-tags")
    def edit_tags(
        ctx: typer.Context,
        dataset: Path = DATASET_ARG,
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
