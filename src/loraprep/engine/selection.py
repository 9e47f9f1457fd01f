"""Selection over the engine's files: what a --where expression sees of one image, and the files that match."""

from __future__ import annotations


def view(ws, file_id: int):
    """What a selection expression sees of one image (tags after the rules, stored scores)."""
    from loraprep.where.select import ImageView

    e = ws.entry(file_id)
    f = e.file
    verdict = ws.verdict(file_id) if f.image_id else None
    if e.view is not None and e.view_of is verdict:
        return e.view
    kept = frozenset(verdict.names) if verdict is not None else frozenset()
    scores = {t: s for t, _c, s in ws.scores.get(f.image_id, ())} if f.image_id else {}
    people = ws.people_fields().get(f.image_id) if f.image_id else None
    e.view = ImageView(name=f.name, concept=f.concept, tier=f.tier, status=f.status, tags=kept, scores=scores,
                       pinned=e.lean.pinned & kept, small=f.small, npeople=people.npeople if people else None,
                       crop_info=people.crop_info if people else "full")
    e.view_of = verdict
    return e.view


def select(ws, where: str | None = None, *, concept: str | None = None, status: str | None = None,
           text: str | None = None) -> list[int]:
    """File ids matching a selection expression and the simple filters, in path order."""
    predicate = None
    if where and where.strip():
        from loraprep.where.select import parse_where

        predicate = parse_where(where)
    needle = (text or "").lower()
    in_order = ws.files_by_path()
    if predicate is None and concept is None and status is None and not needle:
        return [f.id for f in in_order]
    chosen = []
    for f in in_order:
        if concept is not None and f.concept != concept:
            continue
        if status is not None and f.status != status:
            continue
        if needle and needle not in f.path.lower():
            continue
        if predicate is not None and not predicate.test(view(ws, f.id)):
            continue
        chosen.append(f.id)
    return chosen
