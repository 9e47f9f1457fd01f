"""`loraprep frames`: extract the distinct, usable frames of video episodes into a concept folder."""

from __future__ import annotations

from pathlib import Path
from typing import List, Optional

import typer

from loraprep.cli.output import JSON_OPTION, emit, print_warnings, shown, stderr_console, stdout_console, table


def _render(report: dict) -> None:
    console = stdout_console()
    rows = []
    for e in report["episodes"]:
        dropped = ", ".join(f"{n} {why}" for why, n in sorted(e["dropped"].items())) or "none"
        crop = ",".join(str(v) for v in e["crop"]) if e["crop"] else "-"
        rows.append([e["video"], f"{e['seconds']:.0f} s", e["frames_decoded"], len(e["written"]),
                     e["already_recorded"], dropped, crop])
    if rows:
        console.print(table(f"frames into {report['concept']} ({report['mode']}, similar: {report['similar']})",
                            ["video", "length", "decoded", "written", "already there", "dropped", "bars l,t,r,b"],
                            rows))
    for e in report["episodes"]:
        for s in e["similar"][:20]:
            console.print(f"{shown(s['frame'])} repeats {shown(s['kept'])} (distance {s['distance']:g})")
        if len(e["similar"]) > 20:
            more = len(e["similar"]) - 20
            console.print(f"... and {more} more similar frame(s) of {shown(e['video'])} (--json lists all)")
        print_warnings(console, [f"{e['video']}: {w}" for w in e["warnings"]])
    print_warnings(console, report.get("warnings", []))
    for err in report["errors"]:
        console.print(f"[red]skipped[/red] {shown(err['video'])}: {shown(err['error'])}")
    console.print(f"wrote {report['written']} frame(s); next: {shown(report['next'])}")


def register(app: typer.Typer) -> None:
    @app.command()
    def frames(
        ctx: typer.Context,
        paths: List[Path] = typer.Argument(..., help="One or more video files, then the concept folder "
                                                     "(DATASET/CONCEPT) the frames go into."),
        every: Optional[str] = typer.Option(None, "--every", help="A frame every this long (0.5s, 2s, 500ms) "
                                                                  "instead of one per shot."),
        scenes: bool = typer.Option(False, "--scenes", help="A frame per shot plus samples of long shots (the "
                                                            "default)."),
        similar: str = typer.Option("default", "--similar", help="Drop frames that repeat a kept picture or an "
                                                                 "image already in the concept: default | strict "
                                                                 "(dedup's thresholds) | off."),
        min_side: Optional[int] = typer.Option(None, "--min-side", min=1, help="Refuse an episode whose frames' "
                                                                               "shorter side is under this."),
        tone_map: bool = typer.Option(False, "--tone-map", help="Map HDR (PQ/HLG) video to SDR instead of "
                                                                "refusing it."),
        json_output: bool = JSON_OPTION,
    ) -> None:
        """Frames of video episodes as new PNG files in a concept folder: one per shot, no black, faded, blurred
        or repeated frames, bars cropped; provenance in the store; `scan` takes them from there."""
        from loraprep.errors import UsageError
        from loraprep.ops.frames import frames as extract

        if len(paths) < 2:
            raise UsageError("give the video file(s) and then the concept folder",
                             "loraprep frames EPISODE.mkv [...] DATASET/CONCEPT")
        console = stderr_console()
        shown_at: dict[str, int] = {}

        def progress(name: str, done: float, total: float) -> None:
            if not console.is_terminal:
                return
            minute = int(done // 60)
            if shown_at.get(name) != minute:
                shown_at[name] = minute
                where = f"{done / 60:.0f} of {total / 60:.0f} min" if total else f"{done / 60:.0f} min"
                console.print(f"[dim]{shown(name)}: {where}[/dim]")

        report = extract(paths[:-1], paths[-1], every=every, scenes=scenes, similar=similar, min_side=min_side,
                         tone_map=tone_map, progress=progress)
        emit(ctx, json_output, report, _render)
        if report["errors"] and not report["episodes"]:
            raise typer.Exit(1)
