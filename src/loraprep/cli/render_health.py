"""Draw the dataset health report (scan and status) for a person."""

from __future__ import annotations

from loraprep.cli.output import shown, stdout_console, table


def render_health(report: dict) -> None:
    console = stdout_console()
    rows = [[shown(c["concept"]) if c["concept"] else "(root)", c["images"], c["active"], c["failed"], c["excluded"], c["small"], c["alpha"],
             c["captioned"], ", ".join(f"{k} {v}" for k, v in sorted(c["formats"].items()))]
            for c in report["concepts"]]
    t = report["totals"]
    rows.append(["total", t["images"], t["active"], t["failed"], t["excluded"], t["small"], t["alpha"],
                 t["captioned"], ""])
    console.print(table(f"Dataset {report['dataset']}",
                        ["concept", "images", "active", "failed", "excluded", f"small <{report['min_size']}",
                         "alpha", "captioned", "formats"], rows))
    scan = report.get("scan")
    if scan:
        console.print(f"scanned {scan['found']} files: {scan['new']} new, {scan['changed']} changed, "
                      f"{scan['renamed']} renamed, {scan['gone']} gone, {scan['read'] - scan['decoded']} already known, "
                      f"{scan['captions_imported']} captions imported")
    unfinished = report.get("unfinished_scan")
    if unfinished:
        console.print(f"[red]unfinished scan:[/red] {unfinished['message']}; {unfinished['hint']}", markup=True)
    for failure in report["failed"]:
        console.print(f"[red]failed[/red] {shown(failure['path'])}: {shown(failure['reason'])}", markup=True)
    for warning in report.get("warnings", []):
        console.print(f"[yellow]warning[/yellow] {shown(warning['path'])}: {shown(warning['warning'])}")
    if report["small"]:
        console.print(f"{len(report['small'])} image(s) have a shorter side under {report['min_size']} px "
                      "(they train, but at a lower resolution); `--json` lists them")
    if report.get("sources"):
        console.print("sources: " + ", ".join(f"{shown(k)} {v}" for k, v in report["sources"].items()))
    render_unfinished_runs(report.get("unfinished_runs", []), report["dataset"])
    if not t["images"]:
        console.print("no images found: put images in concept subfolders (my_lora/outfit_a/001.png)")


def render_unfinished_runs(runs: list[dict], dataset: str) -> None:
    """Runs that did not finish: a killed one says so, and which command picks up where it stopped."""
    console = stdout_console()
    for run in runs:
        started = run["started"][:19].replace("T", " ")
        if run["state"] == "running":
            console.print(f"running: {run['command']} (process {run['pid']}), started {started}")
        elif run["state"] == "unknown":
            console.print(f"not finished: {run['command']} started {started} on {run['host']}; it may still run "
                          "there")
        else:
            console.print(f"[yellow]interrupted[/yellow]: {run['command']} started {started} did not finish "
                          f"(its process ended first); run {_again(run['command'], dataset)} again",
                          markup=True)


def _again(command: str, dataset: str) -> str:
    """The command that picks up an interrupted run: a download needs its own search, which the user knows."""
    if command == "download":
        return "the same `loraprep download` (it skips what it already fetched)"
    return f"`loraprep {command} {dataset}`"
