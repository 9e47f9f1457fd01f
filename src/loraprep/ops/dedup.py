"""dedup(): describe new images, find exact and near-duplicate groups, exclude non-keepers with a reason."""

from __future__ import annotations

import itertools
from pathlib import Path
from typing import Callable

from loraprep import settings
from loraprep.compute import LOCAL, EngineChoice, engine_choice
from loraprep.errors import NotFoundError
from loraprep.locations import join
from loraprep.store import dedup as dedup_rows
from loraprep.store.atomic import write_bytes_atomic
from loraprep.store.db import Store, open_store
from loraprep.store.files import find_file, list_files
from loraprep.store.runs import end_failed_runs, end_run, last_run, start_run

DUPLICATE_REASON = "duplicate of "
COMMIT_EVERY = 128


def dedup(dataset: str | Path, *, threshold: str | float = "default", dry_run: bool = False,
          across_concepts: bool = False, sheets: bool = False,
          progress: Callable[[int, int], None] | None = None, engine: str | EngineChoice = "local",
          address: str | None = None, gpus_per_worker: float = 0, images: str | None = None) -> dict:
    """Group duplicates among active images (and earlier duplicates, which are reconsidered). Contact sheets are
    drawn only when asked for (``sheets``, or ``review(sheets=True)``): they decode every grouped picture again.
    ``engine`` runs the describing pass here or on Ray (search and grouping stay here); ``images`` reads the
    pictures from another folder or an fsspec URL, under the same relative paths."""
    from loraprep.dedup import resolve_threshold

    resolve_threshold(threshold)  # a bad value fails before any work
    engine = engine_choice(engine, address, gpus_per_worker)
    store = open_store(dataset)
    try:
        return _dedup(store, threshold, dry_run, across_concepts, sheets, progress, engine, images)
    except BaseException as exc:
        end_failed_runs(store, "dedup", exc)
        raise
    finally:
        store.close()


def _candidates(store: Store):
    return [f for f in list_files(store, statuses=["active", "excluded"])
            if f.image_id and (f.status == "active" or f.reason.startswith(DUPLICATE_REASON))]


def _families(store: Store, files) -> dict[int, str]:
    """file id -> the source image id of its family, for sources and their crops (never grouped together)."""
    from loraprep.store.derived import derived_by_id

    source_of = {i: d.source for i, d in derived_by_id(store.conn).items()}
    if not source_of:
        return {}
    kin = set(source_of.values())
    return {f.id: source_of.get(f.image_id, f.image_id) for f in files
            if f.image_id in source_of or f.image_id in kin}


def _tier_rank(store: Store, files) -> dict[str, float]:
    """tier -> weight from the recipe (primary 5, supporting 1 by default): the better tier wins a keeper tie and
    follows the keeper."""
    from loraprep.balance.repeats import DEFAULT_TIER_WEIGHTS, tier_weight
    from loraprep.ops.recipe import load_dataset_recipe

    weights = dict(load_dataset_recipe(store.root).export.tier_weights) or dict(DEFAULT_TIER_WEIGHTS)
    return {f.tier: tier_weight(f.tier, weights) for f in files}


def _dedup(store: Store, threshold, dry_run: bool, across_concepts: bool, sheets: bool, progress,
           engine: EngineChoice = LOCAL, images: str | None = None) -> dict:
    from loraprep.dedup import DedupInput, Descriptor, KeeperPolicy, UserDecisions
    from loraprep.dedup.descriptor import VERSION

    settings_used = {"threshold": threshold, "across_concepts": across_concepts, "dry_run": dry_run}
    run_id = start_run(store, "dedup", settings_used)
    files = _candidates(store)
    blobs = dedup_rows.load_descriptors(store.conn, VERSION)
    errors = _describe_missing(store, files, blobs, VERSION, progress, engine, images)
    keeps, splits = dedup_rows.load_decisions(store.conn)
    decisions = UserDecisions(keep=frozenset(int(k) for k in keeps),
                              split=tuple(frozenset(int(i) for i in s) for s in splits),
                              family=_families(store, files))
    words = dedup_rows.images_with_words(store.conn)
    rank = _tier_rank(store, files)
    records = []
    for f in files:
        blob = blobs.get(f.image_id)
        if blob is None:
            continue
        fmt = (f.format or "").upper()
        records.append(DedupInput(f.id, Descriptor.from_bytes(blob), sha256=f.image_id, concept=f.concept,
                                  width=f.width or 0, height=f.height or 0, format=fmt, has_alpha=f.has_alpha,
                                  file_size=f.size, tier=f.tier, user_tags=f.image_id in words))
    groups = _found(store, records, threshold, across_concepts, decisions, KeeperPolicy(tier_rank=rank), dry_run)
    by_id = {f.id: f for f in files}
    report_groups = [_group_dict(g, by_id) for g in groups]
    excluded = sum(1 for g in groups for m in g.members if m.exclude)
    carried, warnings = [], []
    if not dry_run:
        _record(store, groups, by_id)
        carried, warnings = _carry(store, groups, by_id, rank)
        if sheets:
            _write_sheets(store, groups, by_id)
    end_run(store, run_id, "ok", {"groups": len(groups), "excluded": excluded, "errors": len(errors),
                                  "carried": len(carried)}, errors)
    return {"dataset": str(store.root), "threshold": threshold, "dry_run": dry_run, "images": len(records),
            "groups": report_groups, "excluded": excluded, "carried": carried, "warnings": warnings,
            "errors": [{"path": p, "error": e} for p, e in errors],
            "reports": str(store.state_dir / "reports" / "dedup") if sheets and not dry_run else None}


def _found(store: Store, records, threshold, across_concepts: bool, decisions, policy, dry_run: bool):
    """The duplicate groups of ``records``: those of the last run when its inputs were the same (a rerun with nothing
    new took as long as the first run: 50-70 s at 20,000 images), else found afresh and kept for the next run."""
    from loraprep.dedup import find_duplicate_groups
    from loraprep.dedup.reuse import find_fingerprint, groups_from_rows, groups_to_rows
    from loraprep.store import dedup_cache

    inputs = find_fingerprint(records, threshold=threshold, across_concepts=across_concepts, decisions=decisions,
                              policy=policy)
    kept = dedup_cache.load(store, inputs)
    if kept is not None:
        return groups_from_rows(kept)
    groups = find_duplicate_groups(records, threshold=threshold, across_concepts=across_concepts,
                                   decisions=decisions, policy=policy)
    if not dry_run:
        dedup_cache.save(store, inputs, groups_to_rows(groups))
    return groups


def _describe_missing(store: Store, files, blobs: dict, version: int, progress, engine: EngineChoice = LOCAL,
                      images: str | None = None) -> list[tuple[str, str]]:
    """Describe images whose content has no stored descriptor yet: a rescan of 10 new images costs 10.
    The engine's workers decode and describe; the store writes stay here, one transaction per chunk."""
    from loraprep.compute.engine import describe_results

    todo: dict[str, str] = {}
    for f in files:
        if f.image_id not in blobs and f.image_id not in todo:
            todo[f.image_id] = f.path
    root = images or store.root
    results = describe_results(engine, [(image_id, join(root, path)) for image_id, path in todo.items()])
    errors: list[tuple[str, str]] = []
    done = 0
    while True:
        chunk = list(itertools.islice(results, COMMIT_EVERY))
        if not chunk:
            return errors
        fresh = [(image_id, blob) for image_id, blob, _ in chunk if blob is not None]
        errors += [(todo[image_id], err) for image_id, blob, err in chunk if blob is None]
        with store.write() as conn:
            dedup_rows.save_descriptors(conn, version, fresh)
        blobs.update(fresh)
        done += len(chunk)
        if progress:
            progress(done, len(todo))


def _reason(member, keeper_path: str) -> str:
    return f"{DUPLICATE_REASON}{keeper_path} ({member.why}, distance {member.distance:g})"


def _record(store: Store, groups, by_id: dict) -> None:
    """Excluded duplicates are recomputed on every run: earlier ones return to active unless grouped again."""
    stored, excluded = [], {}
    with store.write() as conn:
        keeps = set(dedup_rows.load_decisions(conn)[0])
        for g in groups:
            keeper = by_id[g.keeper_id]
            members = [dedup_rows.StoredMember(g.keeper_id, 0.0, "keeper", True,
                                               "user" if str(g.keeper_id) in keeps else "auto")]
            for m in g.members:
                members.append(dedup_rows.StoredMember(m.image_id, float(m.distance), m.why, False, "auto"))
                if m.exclude:
                    excluded[m.image_id] = _reason(m, keeper.path)
            stored.append(dedup_rows.StoredGroup(g.group_id, g.keeper_id, tuple(members)))
        dedup_rows.set_exclusions(conn, DUPLICATE_REASON, excluded)
        dedup_rows.replace_groups(conn, stored)


def _carry(store: Store, groups, by_id: dict, rank: dict[str, float]) -> tuple[list[dict], list[str]]:
    """Give each keeper the caption, edits and best tier of the copies it replaced (dedup/carry.py decides), as two
    journal batches: the caption tags as an import, the edits and tiers as user operations (history shows both)."""
    from loraprep.dedup.carry import CARRIED, Copy, carried_origin, plan_carry
    from loraprep.store import journal

    work = [(g, [m for m in g.members if m.exclude]) for g in groups]
    work = [(g, members) for g, members in work if members]
    if not work:
        return [], []
    image_ids = {by_id[i].image_id for g, members in work for i in (g.keeper_id, *(m.image_id for m in members))}
    carried, warnings = [], []
    with store.write() as conn:
        states = journal.tag_states(conn, image_ids)
        before = dedup_rows.carried_into(conn, CARRIED)
        user_tiers = dedup_rows.tiers_set_by_user(conn)
        imports, edits, tiers = [], [], []

        def copy(f):
            return Copy(f.id, f.image_id, f.path, f.tier, states.get(f.image_id, {}))

        for g, members in work:
            keeper = by_id[g.keeper_id]
            plan = plan_carry(copy(keeper), [copy(by_id[m.image_id]) for m in members],
                              carried_from=frozenset(o[len(CARRIED):] for o in before.get(keeper.image_id, ())),
                              keeper_tier_set_by_user=keeper.id in user_tiers, tier_rank=rank)
            warnings += plan.warnings
            if plan.donor is not None:
                origin = carried_origin(plan.donor.path)
                imports += [journal.TagOp(keeper.image_id, t, "add", origin) for t in plan.imports]
                edits += [journal.TagOp(keeper.image_id, t, op, origin) for t, op in plan.user_ops]
            if plan.tier is not None:
                tiers.append(journal.FileOp(keeper.id, "tier", keeper.tier, plan.tier))
            if plan.donor is not None or plan.tier is not None:
                carried.append({"keeper": keeper.path, "from": plan.donor.path if plan.donor else None,
                                "caption_tags": len(plan.imports), "edits": len(plan.user_ops), "tier": plan.tier})
        journal.record_batch(conn, "dedup: captions of excluded copies carried to their keepers", "import", imports)
        journal.record_batch(conn, "dedup: edits and tiers of excluded copies carried to their keepers", "user",
                             edits, tiers)
    return carried, warnings


def _write_sheets(store: Store, groups, by_id: dict) -> None:
    """One PNG per group; a sheet that already shows the same group is kept. Rendering decodes every grouped
    picture again, so the sheets are drawn in worker processes, each writing its own file atomically."""
    from loraprep.dedup.batch import in_workers
    from loraprep.dedup.contact_sheet import sheet_signature, stored_signature

    folder = store.state_dir / "reports" / "dedup"
    jobs = []
    for g in groups:
        path = folder / f"{g.group_id}.png"
        signature = sheet_signature(g, lambda file_id: f"{by_id[file_id].image_id} {by_id[file_id].path}")
        if stored_signature(path) != signature:
            names = {i: by_id[i].path for i in [g.keeper_id, *(m.image_id for m in g.members)]}
            jobs.append((str(path), g, str(store.root), names, signature))
    for _ in in_workers(_render_sheet, jobs, settings.workers()):
        pass


def _render_sheet(job) -> None:
    """In a worker: draw one group's contact sheet and write it (temp file + rename). ``names``: each picture's
    path in the dataset, which both opens it and captions it."""
    from loraprep.dedup.contact_sheet import contact_sheet, open_picture

    path, group, root, names, signature = job
    sheet = contact_sheet(group, lambda i: open_picture(Path(root) / names[i]), signature=signature,
                          label=names.__getitem__)
    write_bytes_atomic(Path(path), sheet)


def _group_dict(group, by_id: dict) -> dict:
    keeper = by_id[group.keeper_id]
    return {"group": group.group_id, "keeper": {"id": keeper.id, "path": keeper.path},
            "members": [{"id": m.image_id, "path": by_id[m.image_id].path, "distance": m.distance, "why": m.why,
                         "excluded": m.exclude} for m in group.members]}


def review(dataset: str | Path, *, sheets: bool = True) -> dict:
    """The groups of the last dedup run, as stored, with what was carried to each keeper; draws the contact sheets
    that are missing or out of date (``sheets``)."""
    from loraprep.dedup import DupGroup, DupMember
    from loraprep.dedup.carry import CARRIED

    store = open_store(dataset)
    try:
        files = {f.id: f for f in list_files(store)}
        carried = dedup_rows.carried_into(store.conn, CARRIED)
        groups, drawable = [], []
        for g in dedup_rows.load_groups(store.conn):
            members = [{"id": m.file_id, "path": files[m.file_id].path if m.file_id in files else "?",
                        "distance": m.distance, "why": m.why, "keeper": m.keeper, "decided_by": m.decided_by,
                        "status": files[m.file_id].status if m.file_id in files else "gone"} for m in g.members]
            keeper = files.get(g.keeper)
            origins = carried.get(keeper.image_id, set()) if keeper else set()
            groups.append({"group": g.id, "keeper": g.keeper, "members": members,
                           "carried_from": sorted(o[len(CARRIED):] for o in origins)})
            others = [m for m in g.members if not m.keeper and m.file_id in files]
            if keeper is not None and others:
                drawable.append(DupGroup(g.id, g.keeper, tuple(DupMember(m.file_id, m.distance, m.why, True, "")
                                                              for m in others)))
        if sheets and drawable:
            _write_sheets(store, drawable, files)
        return {"dataset": str(store.root), "groups": groups,
                "reports": str(store.state_dir / "reports" / "dedup") if sheets and drawable else None}
    finally:
        store.close()


def _rerun_settings(store: Store) -> dict:
    previous = last_run(store, "dedup") or {}
    s = previous.get("settings", {})
    return {"threshold": s.get("threshold", "default"), "across_concepts": bool(s.get("across_concepts", False))}


def keep(dataset: str | Path, ref: str) -> dict:
    """The user picks this image as the one to keep; later runs respect it. Regroups at once."""
    store = open_store(dataset)
    try:
        f = find_file(store, ref)
        if f is None:
            raise NotFoundError(f"no image '{ref}'", hint="use an id or path from `loraprep dedup DATASET --review`")
        with store.write() as conn:
            dedup_rows.add_decision(conn, "keep", str(f.id))
        again = _rerun_settings(store)
    finally:
        store.close()
    return dedup(dataset, **again)


def split(dataset: str | Path, group_id: str) -> dict:
    """The user says this group's members are not duplicates of each other; later runs respect it."""
    store = open_store(dataset)
    try:
        group = next((g for g in dedup_rows.load_groups(store.conn) if g.id == group_id), None)
        if group is None:
            raise NotFoundError(f"no duplicate group '{group_id}'", hint="`loraprep dedup DATASET --review` lists them")
        with store.write() as conn:
            dedup_rows.add_decision(conn, "split", [str(m.file_id) for m in group.members])
        again = _rerun_settings(store)
    finally:
        store.close()
    return dedup(dataset, **again)
