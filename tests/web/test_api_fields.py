"""The editor's caption fields: shown on an image, set (one journal batch), renamed everywhere, undone."""

from __future__ import annotations

from tests.web.conftest import file_ids


def test_fields_are_shown_set_renamed_and_undone(client):
    ids = file_ids(client)
    first, second = sorted(ids.values())[:2]
    detail = client.get(f"/api/images/{first}").json()
    assert set(detail["fields"]) >= {"character", "copyright", "artist", "rating", "image_type", "npeople"}
    assert detail["fields"]["character"]["value"] == "alice"  # the tagger's character output (score >= 0.85)
    assert detail["fields"]["character"]["from"] == "tagger"

    r = client.post("/api/fields", json={"field": "character", "value": "Alice Liddell", "ids": [first, second],
                                         "current": first}).json()
    assert r["batch_id"] and r["detail"]["fields"]["character"] == {"value": "Alice Liddell", "from": "user"}
    renamed = client.post("/api/fields", json={"field": "character", "value": "alicia",
                                               "rename_from": "Alice Liddell", "current": second}).json()
    assert renamed["detail"]["fields"]["character"]["value"] == "alicia"
    assert client.get(f"/api/images/{first}").json()["fields"]["character"]["value"] == "alicia"
    history = client.get("/api/history?limit=2").json()
    assert history["batches"][0]["label"].startswith("rename character") and history["batches"][0]["via"] == "web"

    undone = client.post("/api/undo", json={"current": first}).json()
    assert undone["detail"]["fields"]["character"]["value"] == "Alice Liddell"
    client.post("/api/undo", json={})
    assert client.get(f"/api/images/{first}").json()["fields"]["character"]["value"] == "alice"


def test_a_bad_field_is_a_400_with_the_one_error_shape(client):
    some = next(iter(file_ids(client).values()))
    r = client.post("/api/fields", json={"field": "tags", "value": "x", "ids": [some]})
    assert r.status_code == 400 and r.json()["ok"] is False and "no caption field" in r.json()["error"]
    r = client.post("/api/fields", json={"field": "character", "value": "x", "ids": [999999]})
    assert r.status_code == 404
