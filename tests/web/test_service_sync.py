"""The editor's answers to writes, also after another process wrote: the page is told what a fresh look shows."""

from __future__ import annotations

import pytest

from loraprep import ops
from loraprep.web import shapes
from loraprep.web.service import Editor
from tests.web.conftest import workspace_class


def _row(editor: Editor, path: str) -> dict:
    cols = shapes.columns(editor._gallery_rows([f.id for f in editor.ws.files()]))
    at = cols["path"].index(path)
    return {name: values[at] for name, values in cols.items()}


@pytest.mark.parametrize("write", ["undo", "edit"])
def test_a_write_after_a_cli_write_tells_the_page_about_that_write_too(dataset, write):
    """A CLI command writes while the editor is open (a caption change imported by scan), then the user undoes
    their own edit: the answer must make the page pick up the CLI's change (a reload, its row, or a version the
    page's poll will see as new); otherwise the page shows the stale row until something else reloads it."""
    editor = Editor(dataset, workspace=workspace_class()(dataset), thumbnails=False)
    try:
        ids = {f.path: f.id for f in editor.ws.files()}
        editor.gallery_json()  # the page has painted every row
        edited = editor.apply_edit({"kind": "add", "tags": ["zz mine"]}, [ids["outfit_a/001.png"]], None)
        assert edited["batch_id"] is not None
        before = _row(editor, "outfit_b/003.png")["tags"]

        (dataset / "outfit_b" / "003.txt").write_text("zz from caption, zz another", encoding="utf-8")
        ops.scan(dataset, min_size=64)  # another process: the editor has not looked yet

        if write == "undo":
            answer = editor.step("undo")
        else:  # sync() reloads first, but the answer's version swallows that reload's bump
            answer = editor.apply_edit({"kind": "add", "tags": ["zz other"]}, [ids["outfit_a/002.png"]], None)
        told = answer.get("reload") or ids["outfit_b/003.png"] in answer.get("rows", {}).get("id", []) \
            or editor.sync() != answer["version"]
        assert _row(editor, "outfit_b/003.png")["tags"] > before  # the server itself knows the new tags
        assert told, f"the page keeps the CLI-changed row stale: the {write}'s answer neither reloads nor carries it"
    finally:
        editor.close()
