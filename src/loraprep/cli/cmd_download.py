"""`loraprep download`: a booru search into a concept folder, with each post's tags and provenance."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer

from loraprep.cli.output import JSON_OPTION, emit, progress_bar, shown, stdout_console

SITE_HELP = "danbooru | gelbooru | safebooru (safebooru.org) | e621 | yandere | konachan."
BASE_HELP = ("Another instance of the site's software, e.g. --site danbooru --base-url https://safebooru.donmai.us.")


def register(app: typer.Typer) -> None:
    @app.command()
    def download(
        ctx: typer.Context,
        target: Path = typer.Argument(..., help="DATASET/CONCEPT: the folder the images go in (created if needed)."),
        site: str = typer.Option(..., "--site", help=SITE_HELP),
        tags: str = typer.Option(..., "--tags",
                                 help="The site's search, e.g. \"kafka_(honkai:_star_rail) solo -comic\"."),
        base_url: Optional[str] = typer.Option(None, "--base-url", help=BASE_HELP),
        limit: Optional[int] = typer.Option(None, "--limit", min=1, help="Stop after this many new files."),
        rating: Optional[str] = typer.Option(None, "--rating",
                                             help="Ratings to keep: general,sensitive,questionable,explicit."),
        min_score: Optional[int] = typer.Option(None, "--min-score", help="Skip posts scored below this."),
        min_side: Optional[int] = typer.Option(None, "--min-side", min=1,
                                               help="Skip posts whose shorter side is below this (pixels)."),
        exclude_tags: Optional[str] = typer.Option(
            None, "--exclude-tags", help="Skip posts with any of these tags (space or comma separated)."),
        delay: Optional[float] = typer.Option(None, "--delay", min=0.0,
                                              help="Seconds between requests (default: the site's polite pace)."),
        json_output: bool = JSON_OPTION,
    ) -> None:
        """Download a booru search (new files only) with each post's tags; then `loraprep scan` imports them."""
        from loraprep.ops.download import download as run_download

        with progress_bar("downloading") as update:
            report = run_download(target, site=site, tags=tags, base_url=base_url, limit=limit, rating=rating,
                                  min_score=min_score, min_side=min_side, exclude_tags=exclude_tags, delay=delay,
                                  progress=update)
        emit(ctx, json_output, report, _render)


def _render(r: dict) -> None:
    console = stdout_console()
    c = r["counts"]
    console.print(f"{shown(r['site'])} ({shown(r['base_url'])}): downloaded {c['downloaded']} into "
                  f"{shown(r['folder'])}, skipped {c['skipped']}, errors {c['errors']}, "
                  f"already downloaded before {c['already_downloaded']}")
    reasons: dict[str, int] = {}
    for s in r["skipped"]:
        reasons[s["reason"]] = reasons.get(s["reason"], 0) + 1
    for reason, count in sorted(reasons.items(), key=lambda kv: -kv[1]):
        console.print(f"  skipped {count}: {shown(reason)}")
    for e in r["errors"]:
        console.print(f"[red]failed[/red] post {e['post_id']} ({shown(e['url'])}): {shown(e['error'])}")
    if r.get("stopped"):
        console.print(f"[yellow]stopped early[/yellow] {shown(r['stopped'])}; run the command again to resume")
    console.print(f"next: `{shown(r['next'])}` imports the files and their tags")
