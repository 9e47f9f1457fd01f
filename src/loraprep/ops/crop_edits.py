"""The editor's crop boxes: what a picture's detectors found and its crops, and a user's box edit as one batch."""

from __future__ import annotations

from loraprep.errors import ImageError, NotFoundError, UsageError
from loraprep.ops.crop import cut_into_cache, record_crop
from loraprep.store import derived as derived_rows
from loraprep.store import detections as detection_rows
from loraprep.store.db import now
from loraprep.store.journal import FileOp, record_batch

ACTIONS = ("add", "move", "delete")
MIN_SIDE = 8  # pixels: a box smaller than this is a slip of the mouse, not a crop


def crop_boxes(ws, file_id: int) -> dict:
    """A picture's detected boxes (at each detector's card score) and its crops, for drawing on the image."""
    f = _file(ws, file_id)
    conn = ws.store.conn
    if derived_rows.is_derived_path(f.path):
        item = derived_rows.derived_by_id(conn).get(f.image_id)
        return {"file_id": file_id, "width": f.width, "height": f.height, "derived": True,
                "source_box": list(item.box) if item else None, "detections": [], "crops": []}
    found = []
    for model in detection_rows.detector_models(conn):
        score = detection_rows.card_score(conn, model)
        for b in detection_rows.boxes(conn, model=model, min_score=score, image_ids=[f.image_id]).get(f.image_id, []):
            found.append({"model": model, "label": b.label, "score": round(b.score, 3),
                          "box": [round(v, 1) for v in b.box]})
    files = derived_rows.derived_files(conn)
    crops = []
    for item in derived_rows.derived_rows(conn, source=f.image_id):
        if item.id in files and ws.has(files[item.id][0]):
            crop_file = ws.file(files[item.id][0])
            crops.append({"file_id": crop_file.id, "box": list(item.box), "what": item.what,
                          "made_by": item.made_by, "status": crop_file.status})
    return {"file_id": file_id, "width": f.width, "height": f.height, "derived": False, "detections": found,
            "crops": crops}


def edit_crop(ws, file_id: int, action: str, *, box=None, crop: int | None = None, what: str = "user") -> dict:
    """add a crop (a drawn box, or a detected one accepted), move one (the old crop excluded, the new one made),
    or delete one (excluded): one journal batch, undone and redone like any edit."""
    if action not in ACTIONS:
        raise UsageError(f"unknown crop action {action!r}", f"use one of: {', '.join(ACTIONS)}")
    source = _file(ws, file_id)
    if derived_rows.is_derived_path(source.path):
        raise UsageError("a crop is not cropped again", "draw the box on the picture it was cut from")
    ops: list[FileOp] = []
    if action in ("move", "delete"):
        old = _crop_of(ws, source, crop)
        if old.status == "active":
            ops.append(FileOp(old.id, "status", "active", "excluded"))
    made = None
    at = now()
    if action in ("add", "move"):
        item = derived_rows.Derived(derived_rows.derived_id(source.image_id, _box(box, source)), source.image_id,
                                    "crop", what if what in derived_rows.CROP_INFO else "user", _box(box, source),
                                    "user")
        existing = derived_rows.derived_files(ws.store.conn).get(item.id)
        if existing is None:
            try:
                path, size = cut_into_cache(ws.store, source, item)
            except (OSError, ValueError) as exc:
                raise ImageError(f"cannot cut {source.path}: {exc}", "check that the picture is still there") from exc
        with ws.store.write() as conn:
            if existing is None:
                ops.append(record_crop(conn, source, item, path, size, at))
            elif ws.file(existing[0]).status != "active":
                ops.append(FileOp(existing[0], "status", ws.file(existing[0]).status, "active"))
            made = item.id
            batch = record_batch(conn, f"crop {action} on {source.name}", "user", file_ops=ops, via=ws.writer)
    else:
        with ws.store.write() as conn:
            batch = record_batch(conn, f"crop delete on {source.name}", "user", file_ops=ops, via=ws.writer)
    ws.reload()  # new files rows: every view of the workspace is read again
    crop_file = derived_rows.derived_files(ws.store.conn).get(made) if made else None
    return {"batch_id": batch, "crop": crop_file[0] if crop_file else None, "reload": True}


def _file(ws, file_id: int):
    if not ws.has(file_id):
        raise NotFoundError(f"no image with id {file_id}", "ids come from the gallery listing")
    return ws.file(file_id)


def _crop_of(ws, source, crop: int | None):
    if crop is None or not ws.has(crop):
        raise NotFoundError(f"no crop with id {crop}", "crop ids come from the picture's boxes")
    record = ws.file(crop)
    item = derived_rows.derived_by_id(ws.store.conn).get(record.image_id)
    if item is None or item.source != source.image_id:
        raise UsageError(f"image {crop} is not a crop of {source.path}", "crop ids come from the picture's boxes")
    return record


def _box(box, source) -> tuple[int, int, int, int]:
    """A box from the page, as whole pixels inside the picture; a box too small or outside it is refused."""
    try:
        x0, y0, x1, y1 = (int(round(float(v))) for v in box)
    except (TypeError, ValueError):
        raise UsageError("a box is four numbers: x0, y0, x1, y1 in picture pixels", None) from None
    w, h = source.width or 0, source.height or 0
    x0, x1 = sorted((max(0, min(x0, w)), max(0, min(x1, w))))
    y0, y1 = sorted((max(0, min(y0, h)), max(0, min(y1, h))))
    if x1 - x0 < MIN_SIDE or y1 - y0 < MIN_SIDE:
        raise UsageError(f"box {x0},{y0},{x1},{y1} is under {MIN_SIDE} px inside the {w}x{h} picture",
                         "draw a larger box on the picture")
    return x0, y0, x1, y1
