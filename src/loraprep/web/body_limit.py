"""Refuse a request body over the named limit with 413, counted as it arrives: never buffered whole first."""

from __future__ import annotations

from loraprep.limits import MAX_BODY_BYTES


def too_large_message(limit: int) -> str:
    return f"request body too large (at most {limit:,} bytes)"


HINT = "select images by a filter instead of listing them, or split the edit"


class BodyLimit:
    """ASGI middleware: a declared Content-Length over ``limit`` is answered at once; a body sent without one
    (chunked) is counted chunk by chunk and refused as soon as it passes ``limit``, with the bytes still to come
    left unread."""

    def __init__(self, app, limit: int = MAX_BODY_BYTES):
        self.app = app
        self.limit = limit

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope.get("headers") or ()).get(b"content-length")
        if declared is not None and (not declared.strip().isdigit() or int(declared) > self.limit):
            from loraprep.web.errors import error_response

            await error_response(413, too_large_message(self.limit), HINT)(scope, receive, send)
            return
        received = 0

        async def counted():
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.limit:
                    # Raised where the route reads its body: FastAPI passes an HTTPException through, and the
                    # app's handler answers it in the one error shape.
                    from starlette.exceptions import HTTPException

                    raise HTTPException(413, too_large_message(self.limit))
            return message

        await self.app(scope, counted, send)
