"""Workspace answers turned into JSON-ready dicts: the gallery table, one image's tags, counts, groups."""

from __future__ import annotations

import dataclasses
from collections import Counter
from pathlib import Path


BADGE_FAILED, BADGE_SMALL, BADGE_DUPLICATE, BADGE_EXCLUDED = "f", "s", "d", "x"


def plain(value):
    """Dataclasses, sets, tuples and paths as JSON values."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    if isinstance(value, (set, frozenset)):
        return sorted(plain(v) for v in value)
    if isinstance(value, Path):
        return str(value)
    return value


def features(ws) -> dict:
    """What the page may offer; every ability is built in, the page still reads this list."""
    return {n: True for n in ("select", "dedup_keep", "dedup_split", "plan", "export", "vocabulary")}


def thresholds(t) -> dict:
    return {"general": t.general, "character": t.character, "mcut": bool(t.mcut),
            "include_rating": bool(getattr(t, "include_rating", False))}


def edit_op(edit: dict):
    from loraprep.ops.edits import EditOp

    return EditOp(edit.get("kind", ""), tuple(edit.get("tags") or ()), edit.get("target") or "",
                  edit.get("position") or "")


# ---- tags of one image ---------------------------------------------------------------------------------------
def _tag(t, dropped_by: str | None = None) -> dict:
    return {"name": t.name, "category": t.category, "score": t.score, "source": t.source, "origin": t.origin,
            "pinned": t.pinned, "dropped_by": dropped_by}


def _dropped(result) -> list[tuple[object, str]]:
    """(tag, rule name) pairs of what the rules removed."""
    return [(d.tag, d.rule) for d in result.dropped_tags]


def image_detail(ws, record) -> dict:
    from loraprep.ops.caption_fields import fields_for

    fid = record.id
    result = ws.result(fid)
    tags = [_tag(t) for t in result.kept]
    dropped = [_tag(t, rule) for t, rule in _dropped(result)]
    return {
        "ok": True, "file": {**plain(record), "name": record.name}, "tags": tags, "dropped": dropped,
        "removed_by_you": sorted(ws.removed(fid)), "caption": ws.caption(fid),
        "scores": [{"name": n, "category": c, "score": round(float(v), 4)}
                   for n, c, v in ws.scores.get(record.image_id, ())],
        "source": ws.source(fid),
        "fields": {name: {"value": value, "from": origin}
                   for name, (value, origin) in fields_for(ws, [record])[fid].items()},
    }


# ---- the gallery -------------------------------------------------------------------------------------------
COLUMNS = ("id", "name", "path", "concept", "tier", "status", "reason", "badges", "tags", "conf", "w", "h", "v")


def gallery_row(row, duplicate_ids: set[int]) -> tuple:
    """One file's row of the gallery table (from the workspace's Row), in COLUMNS order."""
    f = row.file
    badges = ""
    if f.status == "failed":
        badges += BADGE_FAILED
    if f.small:
        badges += BADGE_SMALL
    if f.id in duplicate_ids or f.reason.startswith("duplicate"):
        badges += BADGE_DUPLICATE
    if f.status == "excluded":
        badges += BADGE_EXCLUDED
    return (f.id, f.name, f.path, f.concept, f.tier, f.status, f.reason, badges, row.tags, row.confidence,
            f.width or 0, f.height or 0, (f.image_id or "")[:8])  # v: the content, so a cached thumbnail follows it


def columns(rows: list[tuple]) -> dict[str, list]:
    return {name: [r[i] for r in rows] for i, name in enumerate(COLUMNS)}


def changed_columns(rows: list[tuple], before: dict[int, tuple]) -> dict[str, list]:
    """Like columns(), but only the columns where some row differs from its ``before`` (plus the ids): a batch
    edit over 10,000 images changes the tag counts, not the names and paths."""
    keep = [i for i, name in enumerate(COLUMNS)
            if i == 0 or any(before.get(r[0]) is None or before[r[0]][i] != r[i] for r in rows)]
    return {COLUMNS[i]: [r[i] for r in rows] for i in keep}


# ---- selection and counts ------------------------------------------------------------------------------------
def select(ws, where, concept, status, text) -> list[int]:
    return ws.select(where or None, concept=concept or None, status=status or None, text=text or None)


def _core_tags(ws, file_ids: list[int]) -> set[str]:
    stats = ws.concept_stats()
    core: set[str] = set()
    for concept in {ws.file(i).concept for i in file_ids}:
        if stats.get(concept) is not None:
            core.update(stats[concept].core)
    return core


def tag_counts(ws, file_ids: list[int]) -> list[dict]:
    counts = ws.tag_counts(file_ids)
    core = _core_tags(ws, file_ids)
    categories = ws.categories
    return [{"tag": tag, "count": n, "category": categories.get(tag, "general"), "core": tag in core}
            for tag, n in counts.most_common()]


def vocabulary(ws, prefix: str, limit: int) -> list[dict]:
    return ws.vocabulary(prefix, limit)


def history(ws, limit: int) -> list[dict]:
    return [plain(b) for b in ws.history(limit)]


def curation(ws, file_ids: list[int]) -> dict:
    """What the recipe's rules do to these images: tags dropped per rule, tags per image before and after."""
    dropped: Counter = Counter()
    before = after = 0
    for fid in file_ids:
        if not ws.file(fid).image_id:
            continue
        verdict = ws.verdict(fid)
        before += len(ws.base_names(fid))
        after += len(verdict.names)
        dropped.update((tag, rule) for tag, rule, _why, _by_user in verdict.dropped)
    n = max(len(file_ids), 1)
    return {"ok": True, "images": len(file_ids), "tags_before": round(before / n, 1), "tags_after": round(after / n, 1),
            "dropped": [{"tag": t, "rule": r, "count": c} for (t, r), c in dropped.most_common(200)],
            "examples": [{"id": fid, "name": ws.file(fid).name, "caption": ws.caption(fid)}
                         for fid in file_ids[:5] if ws.file(fid).image_id]}


# ---- duplicates ----------------------------------------------------------------------------------------------
def dedup_groups(ws) -> list[dict]:
    groups = [plain(g) for g in ws.dedup_groups()]
    out = []
    for g in groups:
        members = [m for m in g.get("members", []) if ws.has(m.get("file_id"))]
        if len(members) < 2:
            continue
        keeper = next((m["file_id"] for m in members if m.get("keeper")), members[0]["file_id"])
        keeper_tags = set(ws.base_names(keeper))
        rows = []
        for m in members:
            f = ws.file(m["file_id"])
            tags = set(ws.base_names(f.id))
            rows.append({**m, "keeper": m["file_id"] == keeper, "name": f.name, "path": f.path, "w": f.width,
                         "h": f.height, "size": f.size, "format": f.format, "status": f.status, "reason": f.reason,
                         "only_here": sorted(tags - keeper_tags)[:20], "missing": sorted(keeper_tags - tags)[:20]})
        out.append({"id": g.get("id"), "keeper": keeper, "members": rows})
    return out
