"""The Editor behind the routes: after a large edit the stale rows are computed in the background, exactly."""

from __future__ import annotations

import json
import time

from loraprep.web import service
from loraprep.web.service import Editor


def _rows(editor: Editor) -> dict:
    data = json.loads(editor.gallery_json())
    columns = data["columns"]
    return {fid: {c: columns[c][i] for c in columns} for i, fid in enumerate(columns["id"])}


def test_a_large_edit_is_caught_up_in_the_background(dataset, monkeypatch):
    monkeypatch.setattr(service, "PATCH_ALL", 1)
    editor = Editor(dataset, thumbnails=False)
    try:
        ids = sorted(editor.ws.ids())
        editor.gallery_json()
        answer = editor.apply_edit({"kind": "add", "tags": ["masterpiece"]}, None, {}, visible=ids[:1])
        assert answer["pending"] and answer["rows"]["id"] == ids[:1]
        deadline = time.monotonic() + 10
        while editor._behind and time.monotonic() < deadline:
            time.sleep(0.01)
        assert not editor._behind
        # every row was brought up to date without a request asking: the gallery reuses them all
        assert all(editor._rows[f][0] == editor.ws.row_version(f) for f in ids)
        caught_up = _rows(editor)
    finally:
        editor.close()
    fresh = Editor(dataset, thumbnails=False)
    try:
        assert caught_up == _rows(fresh)
        assert all(row["tags"] > 0 for row in caught_up.values())
    finally:
        fresh.close()
