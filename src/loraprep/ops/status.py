"""status(): the dataset health report, read from the store without touching the files."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

from loraprep.errors import DatasetError
from loraprep.store import files as file_rows
from loraprep.store.db import Store, open_store
from loraprep.store.health_tally import health as read_health
from loraprep.store.runs import last_run, last_scan_unfinished, unfinished_runs


def status(dataset: str | Path) -> dict:
    """The health report of the last scan."""
    store = open_store(dataset)
    try:
        scan = last_run(store, "scan")
        min_size = int((scan or {}).get("settings", {}).get("min_size", 768))
        report = health_report(store, min_size=min_size)
        report["unfinished_runs"] = unfinished_runs(store)
        report["sources"] = source_counts(store)
        return report
    finally:
        store.close()


def source_counts(store: Store) -> dict:
    """How many live files came from each source ("booru:danbooru": 120, ...), by their recorded provenance;
    a file whose bytes changed since it was acquired no longer counts."""
    from loraprep.store.sources import sources_by_path

    sources = sources_by_path(store)
    live = file_rows.live_image_ids(store, list(sources)) if sources else {}
    counts: Counter = Counter()
    for path, source in sources.items():
        if live.get(path) == source.sha256:
            counts[f"{source.kind}:{source.data.get('site', '?')}" if source.kind == "booru" else source.kind] += 1
    return dict(sorted(counts.items()))


def health_report(store: Store, *, min_size: int) -> dict:
    """Per concept: images, active, failed, excluded, small, with alpha, animated, formats, captioned; plus failures."""
    concepts: dict[str, dict] = {}
    health = read_health(store)
    for concept, fmt, *counts in health["counts"]:
        c = concepts.setdefault(concept, {**dict.fromkeys(file_rows.HEALTH_COUNTS, 0), "formats": {}})
        for key, value in zip(file_rows.HEALTH_COUNTS, counts):
            c[key] += value or 0
        if fmt:
            c["formats"][fmt] = counts[0]
    failures = [{"path": path, "reason": reason} for path, reason in health["failed"]]
    small = [{"path": path, "reason": f"small: {width}x{height} < {min_size}"} for path, width, height in health["small"]]
    table = [{"concept": name, **{k: c[k] for k in (*file_rows.HEALTH_COUNTS, "formats")}}
             for name, c in sorted(concepts.items())]
    totals = {k: sum(c[k] for c in table) for k in file_rows.HEALTH_COUNTS}
    gone = health["gone"]
    return {"dataset": str(store.root), "min_size": min_size, "concepts": table, "totals": totals,
            "failed": failures, "small": small, "gone": gone, "unfinished_scan": unfinished_scan(store)}


def unfinished_scan(store: Store) -> dict | None:
    """The last scan when it did not finish, with a sentence for people; None when it did."""
    run = last_scan_unfinished(store.conn)
    if run is None:
        return None
    how = {"running": "it is still running", "interrupted": "it was interrupted (killed or stopped)",
           "error": "it stopped on an error"}.get(run["outcome"], f"it ended as {run['outcome']!r}")
    message = (f"the last scan (started {run['started']}) did not finish: {how}; "
               "images and captions after that point may be missing from the store")
    return {**run, "message": message, "hint": f"run `loraprep scan {store.root}` again"}


def require_finished_scan(store: Store) -> None:
    """Refuse to write from a store that an unfinished scan left part-way (export, run)."""
    run = unfinished_scan(store)
    if run is not None:
        raise DatasetError(run["message"], hint=run["hint"] + " (or wait for the running one to end)"
                           if run["outcome"] == "running" else run["hint"])
