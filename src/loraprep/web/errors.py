"""One JSON error shape for every failure the editor answers: {"ok": false, "error": "...", "status": 4xx}."""

from __future__ import annotations

import logging

log = logging.getLogger("loraprep.web")


class ApiError(Exception):
    """An expected failure of one request, answered with ``status`` and a message (and an optional hint)."""

    def __init__(self, status: int, message: str, hint: str | None = None):
        super().__init__(message)
        self.status = status
        self.message = message
        self.hint = hint


def error_body(status: int, message: str, hint: str | None = None) -> dict:
    body = {"ok": False, "error": message, "status": status}
    if hint:
        body["hint"] = hint
    return body


def error_response(status: int, message: str, hint: str | None = None):
    from starlette.responses import JSONResponse

    return JSONResponse(error_body(status, message, hint), status_code=status)


def _status_of_loraprep_error(exc) -> int:
    from loraprep.errors import ConflictError, DiskFullError, LimitError, UsageError

    if isinstance(exc, DiskFullError):
        return 507
    if isinstance(exc, LimitError):
        return 422
    if isinstance(exc, ConflictError):
        return 409
    text = str(exc)
    if text.startswith("no image with id") or text.startswith("no dedup group"):
        return 404
    if text.startswith("nothing to"):
        return 409
    return 400 if isinstance(exc, UsageError) else 422


def install(app) -> None:
    """Route every exception type to the one shape; tracebacks go to the server log, never to the page."""
    from fastapi.exceptions import RequestValidationError
    from starlette.exceptions import HTTPException

    from loraprep.errors import LoraprepError

    @app.exception_handler(ApiError)
    async def _api(request, exc: ApiError):
        return error_response(exc.status, exc.message, exc.hint)

    @app.exception_handler(LoraprepError)
    async def _loraprep(request, exc: LoraprepError):
        return error_response(_status_of_loraprep_error(exc), exc.message, exc.hint)

    @app.exception_handler(HTTPException)
    async def _http(request, exc: HTTPException):
        message = exc.detail if isinstance(exc.detail, str) else "request refused"
        if exc.status_code == 404 and message == "Not Found":
            message = f"no such page: {request.url.path}"
        return error_response(exc.status_code, message)

    @app.exception_handler(RequestValidationError)
    async def _invalid(request, exc: RequestValidationError):
        parts = []
        for err in exc.errors()[:3]:
            where = ".".join(str(p) for p in err.get("loc", ()) if p != "body")
            parts.append(f"{where}: {err.get('msg', 'invalid')}" if where else err.get("msg", "invalid"))
        return error_response(422, "invalid request: " + "; ".join(parts))

    @app.exception_handler(Exception)
    async def _crash(request, exc: Exception):
        from loraprep.errors import disk_full

        full = disk_full(exc)
        if full is not None:  # 507 Insufficient Storage: the disk, not loraprep, needs attention
            return error_response(507, full.message, full.hint)
        log.exception("internal error on %s", request.url.path)
        return error_response(500, f"internal error: {type(exc).__name__}",
                              "the server log has the details; run with LORAPREP_DEBUG=1 for a traceback")
