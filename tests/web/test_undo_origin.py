"""Undo in the editor says whose batch it is and refuses (409) when another writer's batch became the newest."""

from __future__ import annotations

import json

from loraprep.store import journal
from loraprep.store.db import open_store
from tests.web.conftest import file_ids
from tests.web.test_concurrency import cli


def add_in_editor(client, tag: str, path: str = "outfit_a/002.png") -> int:
    fid = file_ids(client)[path]
    r = client.post("/api/edits/apply", json={"edit": {"kind": "add", "tags": [tag]}, "ids": [fid]}).json()
    return r["batch_id"]


def test_history_names_the_writer_of_each_batch_and_the_next_undo(client, dataset):
    mine = add_in_editor(client, "from the editor")
    done = cli("--json", "edit-tags", str(dataset), "add", "from the cli", "--where", "concept:outfit_b", "--yes")
    assert done.returncode == 0, done.stderr
    h = client.get("/api/history").json()
    by_label = {b["label"]: b for b in h["batches"]}
    assert by_label["add from the editor"]["via"] == "web" and by_label["add from the editor"]["id"] == mine
    assert by_label["add from the cli"]["via"] == "cli"
    assert h["undo"]["label"] == "add from the cli" and h["undo"]["via"] == "cli" and h["redo"] is None
    listed = json.loads(cli("--json", "history", str(dataset)).stdout)
    assert [b["via"] for b in listed if b["label"].startswith("add from")] == ["cli", "web"]


def test_undo_of_a_batch_that_is_no_longer_the_newest_is_refused(client, dataset):
    mine = add_in_editor(client, "from the editor")
    done = cli("edit-tags", str(dataset), "add", "from the cli", "--yes")
    assert done.returncode == 0, done.stderr
    r = client.post("/api/undo", json={"expected": mine})
    body = r.json()
    assert r.status_code == 409 and body["status"] == 409 and body["ok"] is False
    assert "from the cli" in body["error"] and "loraprep command" in body["error"]
    states = {b["label"]: b["state"] for b in client.get("/api/history").json()["batches"]}
    assert states["add from the cli"] == "done" and states["add from the editor"] == "done"  # nothing undone
    newest = client.get("/api/history").json()["undo"]["id"]
    assert client.post("/api/undo", json={"expected": newest}).json()["label"] == "add from the cli"
    assert client.post("/api/undo", json={"expected": mine}).json()["label"] == "add from the editor"


def test_redo_checks_the_expected_batch_too(client, dataset):
    first = add_in_editor(client, "one")
    second = add_in_editor(client, "two")
    client.post("/api/undo", json={"expected": second})
    client.post("/api/undo", json={"expected": first})
    assert client.get("/api/history").json()["redo"]["id"] == first
    assert client.post("/api/redo", json={"expected": second}).status_code == 409
    assert client.post("/api/redo", json={"expected": first}).json()["state"] == "done"


def test_the_journal_keeps_who_wrote_a_batch(dataset):
    with open_store(dataset) as store:
        with store.write() as conn:
            a = journal.record_batch(conn, "a", "user", [journal.TagOp("img", "x", "add")], via="web")
            b = journal.record_batch(conn, "b", "user", [journal.TagOp("img", "y", "add")])
        assert journal.get_batch(store, a).via == "web" and journal.get_batch(store, b).via == "cli"
        assert journal.next_steps(store)[0].id == b
