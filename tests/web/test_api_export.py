"""POST /api/export: a folder that is not a loraprep export is refused and kept, unless the body says replace."""

from __future__ import annotations


def test_export_refuses_a_foreign_folder_and_replaces_it_when_asked(client, tmp_path):
    out = tmp_path / "out"
    (out / "src").mkdir(parents=True)
    (out / "src" / "main.py").write_text("print(1)\n")
    (out / "export.json").write_text('{"items": []}')
    r = client.post("/api/export", json={"out": str(out), "format": "kohya"})
    assert r.status_code >= 400
    body = r.json()
    assert body["ok"] is False and "not a loraprep export" in body["error"] and "src/" in body["error"]
    assert (out / "src" / "main.py").read_text() == "print(1)\n"

    r = client.post("/api/export", json={"out": str(out), "format": "kohya", "replace": True})
    assert r.status_code == 200, r.text
    assert r.json()["result"]["counts"]["images"] == 4
    assert not (out / "src").exists()
    r = client.post("/api/export", json={"out": str(out), "format": "kohya"})  # its own export: replaced
    assert r.status_code == 200, r.text
