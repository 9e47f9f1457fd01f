"""run(): the whole workflow from the recipe, each stage incremental: scan, dedup, tag, curate, plan, export."""

from __future__ import annotations

from pathlib import Path
from typing import Callable

from loraprep.store.db import dataset_root

Stage = Callable[[str], None]


def run(dataset: str | Path, out: str | Path, *, fmt: str | None = None, model: str | None = None,
        min_size: int | None = None, threshold: str | float = "default", mode: str = "copy",
        steps: int | None = None, batch: int | None = None, replace: bool = False, on_stage: Stage | None = None,
        progress: Callable[[int, int], None] | None = None) -> dict:
    """Every stage in order; returns one summary (images in, failed, duplicates, tagged, pruned, plan, output)."""
    from loraprep.ops.classify import classify
    from loraprep.ops.curate import curate
    from loraprep.ops.recipe import load_dataset_recipe
    from loraprep.ops.dedup import dedup
    from loraprep.ops.export import export
    from loraprep.ops.scan import scan
    from loraprep.ops.tag import tag

    from loraprep.export.swap import prepare_output

    root = dataset_root(dataset)
    # The exporter's own check (and recovery of killed exports), run before any stage writes state: a bad output
    # folder costs nothing.
    out_path, recovered = prepare_output(Path(out).expanduser(), root, replace)

    def stage(name: str) -> None:
        if on_stage:
            on_stage(name)

    stage("scan")
    scanned = scan(root, min_size=min_size, progress=progress)
    cropped = _detect_and_crop(root, progress, stage)
    crop_errors = cropped.pop("crop_errors", [])
    stage("dedup")
    duplicates = dedup(root, threshold=threshold, progress=progress)
    stage("tag")
    tagged = tag(root, model=model, progress=progress)
    classified = None
    if load_dataset_recipe(root).classify.enabled:
        stage("classify")
        classified = classify(root, progress=progress)
    stage("curate")
    preview = curate(root)
    stage("export")
    exported = export(root, out_path, fmt=fmt, mode=mode, steps=steps, batch=batch, replace=replace)
    plan = exported.pop("plan")
    totals = scanned["totals"]
    return {
        "dataset": str(root), "output": str(out_path), "format": exported.get("format"),
        "images": totals["images"], "failed": totals["failed"], "small": totals["small"],
        "duplicates_excluded": duplicates["excluded"], "duplicate_groups": len(duplicates["groups"]),
        "tagged": tagged["tagged"], "tag_skipped": tagged["skipped"], "tag_failed": tagged["failed"],
        "model": tagged["model"],
        "classified": None if classified is None else {k: classified[k] for k in (
            "model", "assigned", "clustered", "clusters", "unsorted", "moved")},
        "tags_pruned": sum(r["removed"] for r in preview["rules"]),
        **cropped,
        "pruned_by_rule": _by_rule(preview["rules"]),
        "exported": exported.get("counts", {}).get("images"),
        "repeats": {f"{r['concept']}{'/' + r['tier'] if r['tier'] else ''}": r["repeats"] for r in plan["rows"]},
        "epochs": plan["epochs"], "total_steps": plan["total_steps"],
        "warnings": [*recovered, *plan.get("warnings", []), *exported.get("warnings", [])],
        "train_command": exported.get("train_command"),
        "failures": scanned["failed"] + crop_errors + tagged["errors"] + duplicates["errors"]
                    + (classified["errors"] if classified else []),
    }


def _by_rule(rules: list[dict]) -> dict:
    totals: dict[str, int] = {}
    for r in rules:
        totals[r["rule"]] = totals.get(r["rule"], 0) + r["removed"]
    return totals


def _detect_and_crop(root: Path, progress, stage: Stage) -> dict:
    """When the recipe's [crop] is enabled: detect, then cut the crops (which the later stages then see)."""
    from loraprep.ops.crop import crop, detector_spec
    from loraprep.ops.detect import detect
    from loraprep.ops.recipe import load_dataset_recipe

    recipe = load_dataset_recipe(root)
    if not recipe.crop.enabled:
        return {}
    stage("detect")
    found = detect(root, what=recipe.crop.what, model=detector_spec(recipe, root), progress=progress)
    stage("crop")
    made = crop(root)
    return {"detected": found["detected"], "detector": found["model"], "crops_made": made["made"],
            "crops_skipped": made["skipped"], "crop_errors": found["errors"] + made["errors"]}
