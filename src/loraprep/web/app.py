"""The FastAPI app factory of the editor: security guard, error shape, JSON API and the static page."""

from __future__ import annotations

import contextlib
from pathlib import Path

STATIC = Path(__file__).parent / "static"
PAGES = {"": "index.html", "index.html": "index.html", "app.js": "app.js", "grid.js": "grid.js",
         "panels.js": "panels.js", "style.css": "style.css", "favicon.svg": "favicon.svg"}
TYPES = {".html": "text/html; charset=utf-8", ".js": "text/javascript; charset=utf-8",
         ".css": "text/css; charset=utf-8", ".svg": "image/svg+xml"}


def create_app(dataset, *, token: str, editor=None, port: int | None = None, start_thumbnails: bool = True):
    """The editor's app for one dataset; ``token`` is the launch secret, ``port`` pins the allowed Host."""
    from fastapi import FastAPI
    from starlette.responses import FileResponse

    from loraprep.web import api, errors, security
    from loraprep.web.body_limit import BodyLimit
    from loraprep.web.errors import ApiError
    from loraprep.web.service import Editor

    editor = editor or Editor(dataset, thumbnails=start_thumbnails)

    @contextlib.asynccontextmanager
    async def lifespan(_app):
        editor.warm()  # the gallery first, then the thumbnails in the background
        try:
            yield
        finally:
            editor.close()

    app = FastAPI(title="loraprep editor", docs_url=None, redoc_url=None, openapi_url=None, lifespan=lifespan)
    app.state.editor = editor
    app.state.guard = security.Guard(token=token, port=port)
    errors.install(app)
    app.add_middleware(BodyLimit)  # added before the guard, so it runs inside it: a stranger gets 403, not 413
    security.install(app, app.state.guard)
    app.include_router(api.build_router(editor))

    @app.get("/{name:path}", include_in_schema=False)
    def static(name: str):
        # A fixed list of files: a request can name only these, never a path on disk.
        file = PAGES.get(name.removeprefix("static/"))
        if file is None:
            raise ApiError(404, f"no such page: /{name}")
        return FileResponse(STATIC / file, media_type=TYPES[Path(file).suffix], headers={"Cache-Control": "no-cache"})

    return app
