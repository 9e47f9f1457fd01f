"""The JSON routes under /api and the image routes: thin handlers, every decision in Editor and Workspace."""

from __future__ import annotations

from typing import Optional

from pydantic import BaseModel, Field

MEDIA_TYPES = {"JPEG": "image/jpeg", "PNG": "image/png", "WEBP": "image/webp", "GIF": "image/gif",
               "BMP": "image/bmp", "TIFF": "image/tiff", "AVIF": "image/avif"}


class Query(BaseModel):
    where: Optional[str] = Field(None, max_length=4000)
    concept: Optional[str] = None
    status: Optional[str] = None
    text: Optional[str] = Field(None, max_length=500)


class Ids(BaseModel):
    """Which images a reading request is about: ``ids``, else the ``filter`` that selects them, else all."""

    ids: Optional[list[int]] = None
    filter: Optional[Query] = None


class Edit(BaseModel):
    kind: str
    tags: list[str] = []
    target: str = ""
    position: str = ""  # add: "front" puts the tags right after the trigger and fixed slots


class OnScreen(BaseModel):
    """What a write's answer brings back first: the page's rows on screen and the image open in its panel."""

    visible: Optional[list[int]] = Field(None, max_length=5000)  # the gallery rows on screen: answered first
    current: Optional[int] = None  # the image open in the panel: its detail comes with the answer when it changed


class StepRequest(OnScreen):
    expected: Optional[int] = None  # the batch the page showed the user: refused (409) when another is next


class EditRequest(OnScreen):
    edit: Edit
    ids: Optional[list[int]] = None
    filter: Optional[Query] = None


class RowsRequest(BaseModel):
    ids: list[int] = Field(..., max_length=5000)


class ThresholdRequest(BaseModel):
    general: Optional[float] = Field(None, ge=0, le=1)
    character: Optional[float] = Field(None, ge=0, le=1)
    mcut: Optional[bool] = None


class KeepRequest(BaseModel):
    file_id: int


class SplitRequest(BaseModel):
    group_id: str


class BoxRequest(BaseModel):
    action: str = Field(..., max_length=16)                       # add | move | delete
    box: Optional[list[float]] = Field(None, min_length=4, max_length=4)  # x0, y0, x1, y1 in picture pixels
    crop: Optional[int] = None                                    # the crop moved or deleted (its image id)
    what: str = Field("user", max_length=16)                      # a detected box's label when accepting it


class PlanRequest(BaseModel):
    steps: Optional[int] = Field(None, gt=0)
    batch: Optional[int] = Field(None, gt=0)


class FieldRequest(BaseModel):
    """Set a caption field of ``ids``, or (``rename_from``) give every image holding that value a new one."""

    field: str = Field(..., max_length=40)
    value: str = Field("", max_length=200)
    ids: list[int] = Field([], max_length=100_000)
    rename_from: Optional[str] = Field(None, max_length=200)
    current: Optional[int] = None


class ExportRequest(BaseModel):
    out: str = Field(..., min_length=1, max_length=4096)
    format: Optional[str] = None
    replace: bool = False  # replace the folder even when it is not provably a loraprep export


def build_router(editor):
    """All routes bound to one Editor."""
    from fastapi import APIRouter, Query as Q
    from starlette.responses import FileResponse, Response

    r = APIRouter()

    @r.get("/api/session")
    def session():
        return editor.session()

    @r.get("/api/formats")
    def formats():
        from loraprep.ops.formats import format_names

        return {"ok": True, "formats": format_names()}     # the export registry: the page lists no format itself

    @r.get("/api/edits/kinds")
    def edit_kinds():
        from loraprep.ops.edits import FILE_KINDS, TAG_KINDS

        # the batch bar's menu: the page lists no edit kind itself
        return {"ok": True, "tag_kinds": list(TAG_KINDS), "file_kinds": list(FILE_KINDS)}

    @r.get("/api/version")
    def version():
        return {"ok": True, "version": editor.sync()}

    @r.get("/api/images")
    def images():
        return Response(editor.gallery_json(), media_type="application/json", headers={"Cache-Control": "no-store"})

    @r.post("/api/rows")
    def rows(body: RowsRequest):
        """Fresh gallery rows of some files: the page asks for the rows it scrolls to after a large edit."""
        return as_json(editor.rows(body.ids))

    @r.get("/api/images/{file_id}")
    def image(file_id: int):
        return as_json(editor.image(file_id))

    @r.get("/api/images/{file_id}/file")
    def image_file(file_id: int):
        path, fmt = editor.source_path(file_id)
        return FileResponse(path, media_type=MEDIA_TYPES.get(fmt.upper(), "application/octet-stream"),
                            headers={"Cache-Control": "private, max-age=60"})

    @r.get("/api/images/{file_id}/thumb")
    def image_thumb(file_id: int):
        # Thumbnails are named by content hash, so a cached one never goes stale.
        return FileResponse(editor.thumbnail_path(file_id), media_type="image/webp",
                            headers={"Cache-Control": "private, max-age=86400"})

    @r.get("/api/images/{file_id}/boxes")
    def image_boxes(file_id: int):
        return as_json(editor.boxes(file_id))

    @r.post("/api/images/{file_id}/boxes")
    def edit_box(file_id: int, body: BoxRequest):
        return as_json(editor.edit_box(file_id, body.action, body.box, body.crop, body.what))

    @r.post("/api/select")
    def select(q: Query):
        ids = editor.select(q.where, q.concept, q.status, q.text)
        return as_json({"ok": True, "ids": ids, "count": len(ids)})

    @r.post("/api/tags/counts")
    def tag_counts(body: Ids):
        return as_json({"ok": True, "tags": editor.tag_counts(body.ids, plain_query(body.filter))})

    @r.get("/api/vocabulary")
    def vocabulary(prefix: str = Q("", max_length=200), limit: int = Q(20, ge=1, le=500)):
        return {"ok": True, "tags": editor.vocabulary(prefix, limit)}

    @r.post("/api/edits/preview")
    def preview(body: EditRequest):
        return editor.preview_edit(body.edit.model_dump(), body.ids, plain_query(body.filter))

    @r.post("/api/edits/apply")
    def apply(body: EditRequest):
        return as_json(editor.apply_edit(body.edit.model_dump(), body.ids, plain_query(body.filter), body.visible,
                                         body.current))

    @r.post("/api/undo")
    def undo(body: Optional[StepRequest] = None):
        body = body or StepRequest()
        return as_json(editor.step("undo", body.visible, body.current, body.expected))

    @r.post("/api/redo")
    def redo(body: Optional[StepRequest] = None):
        body = body or StepRequest()
        return as_json(editor.step("redo", body.visible, body.current, body.expected))

    @r.post("/api/fields")
    def fields(body: FieldRequest):
        return as_json(editor.set_field(body.ids, body.field, body.value, body.current, body.rename_from))

    @r.get("/api/history")
    def history(limit: int = Q(50, ge=1, le=1000)):
        return as_json({"ok": True, **editor.history(limit)})

    @r.get("/api/thresholds")
    def get_thresholds():
        return {"ok": True, "thresholds": editor.session()["thresholds"]}

    @r.post("/api/thresholds")
    def set_thresholds(body: ThresholdRequest):
        return editor.set_thresholds(general=body.general, character=body.character, mcut=body.mcut)

    @r.get("/api/dedup")
    def dedup():
        return editor.dedup()

    @r.post("/api/dedup/keep")
    def dedup_keep(body: KeepRequest):
        return editor.dedup_decide("keep", body.file_id)

    @r.post("/api/dedup/split")
    def dedup_split(body: SplitRequest):
        return editor.dedup_decide("split", body.group_id)

    @r.post("/api/curation")
    def curation(body: Ids):
        return editor.curation(body.ids, plain_query(body.filter))

    @r.post("/api/plan")
    def plan(body: PlanRequest):
        return editor.run_op("plan", steps=body.steps, batch=body.batch)

    @r.post("/api/export")
    def export(body: ExportRequest):
        from loraprep.web.export_folder import export_folder

        return editor.run_op("export", out=export_folder(body.out, editor.root), fmt=body.format,
                             replace=body.replace)

    return r


def plain_query(query: Optional[Query]) -> Optional[dict]:
    return query.model_dump() if query is not None else None


def as_json(data) -> "Response":
    """Encode an answer with the json module directly: FastAPI's generic encoder walks every value in Python,
    which cost tens of milliseconds on a 10,000-row answer."""
    import json

    from starlette.responses import Response

    try:
        body = json.dumps(data, separators=(",", ":"), allow_nan=False)
    except (TypeError, ValueError):
        from fastapi.encoders import jsonable_encoder

        body = json.dumps(jsonable_encoder(data), separators=(",", ":"))
    return Response(body, media_type="application/json")
