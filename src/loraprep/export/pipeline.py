"""export_dataset: group items, name files, place images and captions in a staged folder, write configs, swap in."""

from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Iterable

from loraprep.errors import ExportError
from loraprep.export import convert
from loraprep.export.base import COPY, LINK, PRESETS, ExportContext, ExportItem, ExportOptions, Group, Placed
from loraprep.export.caption_tags import CaptionTags
from loraprep.export.captions import caption_bytes
from loraprep.export.kept import item_tags, secondary_separator
from loraprep.export.naming import UniqueNames, reserved_folder, reserved_stem, safe_component
from loraprep.export.registry import get_exporter
from loraprep.export.manifest import write_manifest
from loraprep.export.report import ExportReport, report_json
from loraprep.export.swap import MARKER, resolve_output, staged_folder


LINK_WARNING = ("images are hard-linked (--link): exported images share the sources' bytes, so editing one in "
                "place (a resize script, an image editor, a trainer writing to its data folder) edits the original")


@dataclass(frozen=True)
class _Job:
    item: ExportItem
    group: Group
    relpath: PurePosixPath
    caption: str
    fallback: bool
    conversion: convert.Conversion


def export_dataset(items: Iterable[ExportItem], fmt: str, options: ExportOptions) -> ExportReport:
    """Export ``items`` in format ``fmt`` to ``options.out_dir``, replacing a previous export atomically.

    A folder already there is replaced only when it is provably a loraprep export, or ``options.replace``.
    """
    exporter = get_exporter(fmt)
    _check_options(options, exporter)
    out = resolve_output(options.out_dir, options.dataset_root)
    items = sorted(items, key=lambda i: (i.concept, i.tier, str(i.source)))
    if not items:
        raise ExportError("nothing to export: no active images", hint="check `loraprep plan DATASET` first")
    tags = [item_tags(item, options) for item in items]
    item_groups = _groups(items, [t for t, _ in tags], options, exporter)
    jobs = _plan_jobs(items, tags, item_groups, exporter, options)

    with staged_folder(out, options.replace) as staging:
        stage = staging.path
        for folder in sorted({job.relpath.parent for job in jobs}):
            (stage / folder).mkdir(parents=True, exist_ok=True)
        placed = _place_all(jobs, stage, options, exporter.sidecar_captions)
        ctx = ExportContext(stage, out, options, tuple(dict.fromkeys(item_groups)), tuple(placed))
        config_files = tuple(str(p) for p in exporter.write_configs(ctx)) + _write_extra(stage, options)
        report = ExportReport(
            format=exporter.name,
            out_dir=out,
            groups=ctx.groups,
            placed=ctx.placed,
            config_files=config_files,
            train_command=exporter.train_command(ctx),
            warnings=staging.warnings + _warnings(placed, options, exporter),
            extra=tuple(options.report_extra.items()),
        )
        (stage / MARKER).write_bytes(report_json(report))
        write_manifest(stage, linked=(str(p.relpath) for p in placed if p.method == LINK),
                       cache_dirs=(str(c) for c in _cache_dirs(exporter, ctx)))
    return report


def _write_extra(stage: Path, options: ExportOptions) -> tuple[str, ...]:
    """The caller's extra files (wildcard.txt, core_tags.json, ...) inside the staged folder."""
    written = []
    for rel, data in sorted(options.extra_files.items()):
        path = PurePosixPath(rel)
        if path.is_absolute() or ".." in path.parts:
            raise ExportError(f"extra export file {rel!r} is outside the export folder")
        (stage / path).parent.mkdir(parents=True, exist_ok=True)
        (stage / path).write_bytes(data)
        written.append(str(path))
    return tuple(written)


def _cache_dirs(exporter, ctx: ExportContext) -> list[PurePosixPath]:
    """Folders inside the export that its config tells the trainer to cache into (see Exporter.cache_dirs)."""
    cache_dirs = getattr(exporter, "cache_dirs", None)
    return list(cache_dirs(ctx.options, ctx.groups)) if cache_dirs else []


def _check_options(options: ExportOptions, exporter) -> None:
    if options.mode not in (LINK, COPY):
        raise ExportError(f"unknown export mode {options.mode!r}", hint="copy (the default) or link (--link)")
    if options.train_preset is not None and options.train_preset not in PRESETS:
        raise ExportError(f"unknown train preset {options.train_preset!r}", hint=f"choose one of {', '.join(PRESETS)}")
    if options.train_preset is not None and not getattr(exporter, "train_presets", False):
        raise ExportError(
            f"--preset {options.train_preset} writes sd-scripts' train.toml; loraprep has no {exporter.name} "
            "training settings to write, and a preset must not be ignored silently",
            hint="export with --format kohya or kohya-finetune, or drop --preset (and `preset` under [export])",
        )
    if options.bucket_reso_steps < 64 or options.bucket_reso_steps % 64:
        # train_network.py calls verify_bucket_reso_steps(64): SD 1.x/2.x refuse any other step.
        raise ExportError("bucket_reso_steps must be a multiple of 64 (sd-scripts' train_network.py refuses others)")
    if options.resolution < 64 or options.batch_size < 1 or (options.epochs is not None and options.epochs < 1):
        raise ExportError("resolution must be >= 64, batch size and epochs >= 1")
    if options.resolution < options.bucket_reso_steps:
        raise ExportError("resolution must be at least bucket_reso_steps (64)")
    if options.keep_tokens is not None and options.keep_tokens < 0:
        raise ExportError("keep_tokens must not be negative")
    if options.bucket_max < options.resolution:
        raise ExportError("max_bucket_reso must be at least the resolution (kohya refuses it otherwise)")


def _groups(items: list[ExportItem], tags: list[CaptionTags], options: ExportOptions,
            exporter) -> list[Group]:
    """One group per (concept, tier, kept count), in item order: the group of each item. An image that pins all
    its tags (nothing to shuffle) fits any count at least its length: it joins its concept's largest."""
    repeats: dict[tuple[str, str], int] = {}
    keeps: dict[tuple[str, str], set[int]] = {}
    for item, caption in zip(items, tags):
        key = (item.concept, item.tier)
        if key in repeats and repeats[key] != item.repeats:
            label = f"{item.concept}/{item.tier}" if item.tier else item.concept
            raise ExportError(
                f"{label or '(root)'}: images planned with different repeats ({repeats[key]} and {item.repeats})",
                hint="repeats are per concept and tier; take them from one plan",
            )
        if item.repeats < 1:
            raise ExportError(
                f"{item.concept or '(root)'}: repeats must be at least 1, got {item.repeats}",
                hint="trainers silently skip folders with 0 repeats; exclude the images instead",
            )
        repeats[key] = item.repeats
        keeps.setdefault(key, set()).add(caption.kept)
    secondary = _secondary(items, tags, options, exporter)
    names = UniqueNames(reserved=reserved_folder)
    groups: dict[tuple[str, str, int], Group] = {}
    keys = []
    for item, caption in zip(items, tags):
        largest = max(keeps[(item.concept, item.tier)])
        kept = largest if caption.kept >= len(caption.tags) else caption.kept
        key = (item.concept, item.tier, kept)
        keys.append(key)
        if key in groups:
            continue
        base = safe_component(item.concept or Path(options.dataset_root).name or "dataset", spaces=False,
                              fallback="concept")
        if item.tier:
            base = f"{base}-{safe_component(item.tier, spaces=False, fallback='tier')}"
        if kept != largest:
            # Images that lost a fixed tag: a subset of their own that pins fewer tags, with the same repeats.
            base = f"{base}-keep{kept}"
        groups[key] = Group(item.concept, item.tier, item.repeats, names.claim("groups", base), kept,
                            options.keep_separator_for(item.concept), secondary.get(key[:2]))
    return [groups[key] for key in keys]


def _secondary(items, tags, options: ExportOptions, exporter) -> dict[tuple[str, str], str]:
    """kohya's secondary_separator for each (concept, tier) where a tag holds the caption separator and the
    trainer shuffles: the tag is written with it, and sd-scripts turns it back after shuffling."""
    if not (getattr(exporter, "secondary_separator", False) and options.shuffle_caption):
        return {}
    sep = options.caption_separator.strip() or ","
    needs = {(i.concept, i.tier) for i, t in zip(items, tags) if any(sep in tag for tag in t.tags)}
    if not needs:
        return {}
    token = secondary_separator(tags, sep, {options.keep_separator_for(i.concept) for i in items})
    return dict.fromkeys(needs, token)


def _plan_jobs(items, tags, groups, exporter, options: ExportOptions) -> list[_Job]:
    names = UniqueNames(reserved=reserved_stem)
    jobs = []
    for item, (caption_tags, fallback), group in zip(items, tags, groups):
        source = Path(item.source)
        if not source.is_file():
            raise ExportError(f"{source}: the image is gone", hint="run `loraprep scan DATASET` to refresh the store")
        fmt, mode, alpha, rotated, animated = item.fmt, item.mode, item.has_alpha, item.exif_rotated, item.animated
        if not fmt:
            fmt, mode, alpha, rotated, animated = convert.sniff(source)
        conversion = convert.decide(fmt, mode, alpha, rotated, animated, source.suffix)
        folder = exporter.group_dir(group, options)
        stem = names.claim(exporter.naming_scope(group, options), safe_component(source.stem))
        try:
            caption = exporter.caption(caption_tags, group, options)
        except ExportError as exc:
            raise ExportError(f"{source}: {exc.message}", hint=exc.hint) from None
        jobs.append(_Job(item, group, folder / f"{stem}{conversion.extension}", caption, fallback, conversion))
    return jobs


def _place_all(jobs: list[_Job], stage: Path, options: ExportOptions, sidecars: bool) -> list[Placed]:
    def place(job: _Job) -> Placed:
        dest = stage / job.relpath
        if job.conversion.needed:
            steps = convert.convert_file(job.item.source, dest, job.conversion, options.jpeg_quality)
            method = "convert"
        else:
            steps, method = (), convert.place_file(Path(job.item.source), dest, options.mode)
        if sidecars:
            with open(dest.with_suffix(".txt"), "wb") as handle:
                handle.write(caption_bytes(job.caption))
        return Placed(job.item, job.group, job.relpath, job.caption, method, steps, job.fallback)

    workers = max(1, min(options.workers, os.cpu_count() or 1, len(jobs)))
    if workers == 1:
        return [place(job) for job in jobs]
    pool = ThreadPoolExecutor(max_workers=workers)
    try:
        futures = [pool.submit(place, job) for job in jobs]
        return [future.result() for future in futures]
    except BaseException:
        # Stop converting the rest: the staged folder is thrown away anyway.
        pool.shutdown(wait=True, cancel_futures=True)
        raise
    finally:
        pool.shutdown(wait=True)


def _warnings(placed: list[Placed], options: ExportOptions, exporter) -> tuple[str, ...]:
    out = []
    fallbacks = sum(p.caption_fallback for p in placed)
    if fallbacks:
        out.append(f"{fallbacks} image(s) had an empty caption and were captioned with the trigger word")
    copied = sum(p.method in ("copy", "reflink") for p in placed)
    if options.mode == LINK and copied:
        out.append(f"{copied} image(s) were copied: hard links are not possible between these folders")
    if any(p.method == LINK for p in placed):
        out.append(LINK_WARNING)
    if options.train_preset and options.epochs is None:
        out.append("no planned epochs given: train.toml uses 10 epochs")
    out.extend(getattr(exporter, "notes", lambda _options: [])(options))
    return tuple(out)
