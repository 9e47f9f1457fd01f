"""Tag statistics, curation diffs (and writing them as a batch), captions with evidence, batch edits."""

from __future__ import annotations

from collections import Counter, defaultdict
from pathlib import Path

from loraprep.errors import DatasetError
from loraprep.ops.concept_core import remember_all
from loraprep.ops.curate_records import recorded_ops
from loraprep.ops.edits import EditOp
from loraprep.ops.workspace import Workspace
from loraprep.store import journal
from loraprep.store.files import find_file


def _open(dataset, general=None, character=None, mcut=None) -> Workspace:
    ws = Workspace(dataset)
    if general is not None or character is not None or mcut is not None:
        ws.set_thresholds(general=general, character=character, mcut=mcut)
    return ws


def _bulk(dataset, general=None, character=None, mcut=None):
    """The dataset read for whole-dataset counts (engine/bulk.py), with thresholds asked for now."""
    from loraprep.engine.bulk import BulkRead
    from loraprep.ops.recipe import load_dataset_recipe
    from loraprep.store.db import open_store

    changes = {k: v for k, v in dict(general=general, character=character, mcut=mcut).items() if v is not None}
    store = open_store(dataset)
    try:
        return BulkRead(store, load_dataset_recipe(store.root, None), threshold_changes=changes)
    except BaseException:
        store.close()
        raise


def tags_report(dataset: str | Path, *, concept: str | None = None, top: int | None = None,
                general: float | None = None, character: float | None = None, mcut: bool | None = None) -> dict:
    """Per concept: each tag's count and frequency, core flag, category, and what the recipe's rules prune."""
    from loraprep.ops.curate_counts import pruned_by_tag
    from loraprep.rules.categories import trait_of

    ws = _bulk(dataset, general, character, mcut)
    with ws.store:
        stats = ws.concept_stats()
        remember_all(ws)
        concepts = []
        for name in sorted(stats):
            if concept is not None and name != concept:
                continue
            st = stats[name]
            pruned = pruned_by_tag(ws.verdicts(name), ws.vocab.names)
            rows = []
            for tag, count in st.counts.most_common(top):
                trait = trait_of(tag)
                rows.append({"tag": tag, "count": count, "frequency": round(count / st.images, 3),
                             "core": tag in st.core, "category": ws.categories.get(tag, "general"),
                             "trait": trait[0] if trait else None, "pruned": dict(pruned.get(tag, {}))})
            concepts.append({"concept": name, "images": st.images, "core": sorted(st.core), "tags": rows})
        if concept is not None and not concepts:
            raise DatasetError(f"no active images in concept '{concept}'",
                               hint=f"concepts: {', '.join(sorted(stats)) or '(none)'}")
        return {"model": ws.model, "thresholds": threshold_evidence(ws), "concepts": concepts}


def threshold_evidence(ws: Workspace) -> dict:
    """The thresholds in force and where each came from (recipe, default, model card of <model>, asked now)."""
    t = ws.thresholds
    return {"general": t.general, "character": t.character, "mcut": t.mcut, "include_rating": t.include_rating,
            "general_from": t.sources[0], "character_from": t.sources[1]}


def curate(dataset: str | Path, *, write: bool = False, examples: int = 3) -> dict:
    """What the recipe's rules add and remove, per rule and per concept; ``write`` records it as one batch."""
    if write:
        return _curate_per_image(dataset, write=True, examples=examples)
    from loraprep.ops.curate_counts import curate_diff

    ws = _bulk(dataset)
    with ws.store:
        per_rule: dict[tuple[str, str], dict] = {}
        added: dict = {}
        changed = sum(curate_diff(ws, name, ws.verdicts(name), per_rule, added, examples)
                      for name in ws.concept_stats())
        remember_all(ws)
        ordered = Counter({k: n for k, (n, _first) in sorted(added.items(), key=lambda item: item[1][1])})
        return _curate_report(per_rule, ordered, changed, None)


def _curate_report(per_rule: dict, added: Counter, changed: int, batch_id: int | None) -> dict:
    rules = [{**v, "tags": dict(v["tags"].most_common(10))} for v in per_rule.values()]
    return {"rules": sorted(rules, key=lambda r: (r["concept"], -r["removed"])),
            "added": [{"origin": o, "concept": c, "tag": t, "images": n} for (o, c, t), n in added.most_common()],
            "images_changed": changed, "written": batch_id is not None, "batch_id": batch_id}


def _curate_per_image(dataset: str | Path, *, write: bool = False, examples: int = 3) -> dict:
    """``curate`` through the Workspace, one verdict per image: how a write builds its journal records."""
    with Workspace(dataset) as ws:
        per_rule: dict[tuple[str, str], dict] = {}
        added: Counter = Counter()
        ops: list[journal.TagOp] = []
        changed = 0
        for f in ws.files(statuses=("active",)):
            if not f.image_id:
                continue
            verdict = ws.verdict(f.id)
            for tag, rule, why, _by_user in verdict.dropped:
                slot = per_rule.get((rule, f.concept))
                if slot is None:
                    slot = per_rule[(rule, f.concept)] = {"rule": rule, "concept": f.concept, "removed": 0,
                                                          "tags": Counter(), "examples": []}
                slot["removed"] += 1
                slot["tags"][tag] += 1
                if len(slot["examples"]) < examples:
                    slot["examples"].append({"path": f.path, "tag": tag, "why": why})
            for name, origin in verdict.added:
                added[(origin, f.concept, name)] += 1
            image_ops = recorded_ops(verdict, ws.entry(f.id).lean)
            if image_ops:
                changed += 1
                if write:  # a dry run only counts: building 100,000 journal records would be its main cost
                    ops.extend(journal.TagOp(f.image_id, *op) for op in image_ops)
        remember_all(ws)  # before a write: the counts are those of the store as read
        batch_id = None
        if write and ops:
            with ws.store.write() as conn:
                batch_id = journal.record_batch(conn, "curate (recipe rules)", "rule", _unique(ops))
        return _curate_report(per_rule, added, changed, batch_id)


def _unique(ops: list[journal.TagOp]) -> list[journal.TagOp]:
    # Two files with identical bytes share an image id: record each operation once.
    return list(dict.fromkeys(ops))


def caption(dataset: str | Path, ref: str, *, why: bool = False) -> dict:
    """The final caption of one image and, with ``why``, the evidence for every tag kept or dropped."""
    from loraprep.ops.concept_core import open_one
    from loraprep.store.db import open_store

    with open_store(dataset) as store:
        f = find_file(store, ref)
    if f is None:
        raise DatasetError(f"no image '{ref}' in the dataset", hint="pass a path relative to the dataset, or an id")
    # One image's rows and its concept's counts (cached in the store): not the whole dataset (issue 21).
    with open_one(dataset, f.id, f.concept) as ws:
        if f.id not in ws.entries:
            raise DatasetError(f"no image '{ref}' in the dataset", hint="pass a path relative to the dataset, or an id")
        result = ws.result(f.id)
        data = {"id": f.id, "path": f.path, "concept": f.concept, "status": f.status, "caption": ws.caption(f.id),
                "keep_tokens": result.keep_tokens, "source": ws.source(f.id)}
        if why:
            data["kept"] = [_evidence(t) for t in result.kept]
            data["dropped"] = [{**_evidence(d.tag), "rule": d.rule, "why": d.why} for d in result.dropped_tags]
            data["removed_by_you"] = sorted(ws.entry(f.id).removed)
            data["thresholds"] = threshold_evidence(ws)
        return data


def _evidence(tag) -> dict:
    return {"tag": tag.name, "source": tag.source, "origin": tag.origin, "score": tag.score,
            "category": tag.category, "pinned": tag.pinned}


def edit_tags(dataset: str | Path, edit: EditOp, *, where: str | None = None, apply: bool = False) -> dict:
    """A batch edit over the images ``where`` selects: a dry-run diff, or with ``apply`` one undoable batch."""
    with Workspace(dataset) as ws:
        ids = ws.select(where)
        preview = ws.preview_edit(edit, ids)
        if not apply:
            return {**preview, "applied": False}
        return {**preview, **ws.apply_edit(edit, ids), "applied": True}
