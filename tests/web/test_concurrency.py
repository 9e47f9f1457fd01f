"""The editor and CLI commands writing the same store: both see one journal, nothing lost, nothing locked out."""

from __future__ import annotations

import subprocess
import sys
import threading

from tests.web.conftest import file_ids

WRITER = """
import sys
from loraprep.store.db import open_store
from loraprep.store import journal
root, image_id, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
with open_store(root) as store:
    for i in range(n):
        with store.write() as conn:
            journal.record_batch(conn, f"cli add t{i}", "user", [journal.TagOp(image_id, f"cli tag {i}", "add")])
"""


def cli(*args):
    return subprocess.run([sys.executable, "-m", "loraprep", *args], capture_output=True, text=True, timeout=60)


def test_cli_undo_is_seen_by_the_editor(client, dataset):
    fid = file_ids(client)["outfit_a/002.png"]
    client.post("/api/edits/apply", json={"edit": {"kind": "add", "tags": ["freckles"]}, "ids": [fid]})
    version = client.get("/api/version").json()["version"]
    done = cli("undo", str(dataset))
    assert done.returncode == 0, done.stderr
    assert client.get("/api/version").json()["version"] > version
    assert "freckles" not in {t["name"] for t in client.get(f"/api/images/{fid}").json()["tags"]}
    # ... and the editor's redo picks up the batch the CLI undid.
    assert client.post("/api/redo").json()["label"] == "add freckles"
    history = cli("--json", "history", str(dataset))
    assert '"add freckles"' in history.stdout and '"done"' in history.stdout


def test_editor_and_cli_process_write_at_the_same_time(client, dataset):
    ids = file_ids(client)
    image_id = client.get(f"/api/images/{ids['outfit_b/003.png']}").json()["file"]["image_id"]
    n = 25
    writer = subprocess.Popen([sys.executable, "-c", WRITER, str(dataset), image_id, str(n)],
                              stderr=subprocess.PIPE, text=True)
    failures = []

    def editor_writes():
        for i in range(n):
            r = client.post("/api/edits/apply",
                            json={"edit": {"kind": "add", "tags": [f"web tag {i}"]}, "ids": [ids["outfit_a/001.png"]]})
            if r.status_code != 200:
                failures.append(r.text)

    t = threading.Thread(target=editor_writes)
    t.start()
    t.join(60)
    assert writer.wait(60) == 0, writer.stderr.read()
    assert not failures
    labels = [b["label"] for b in client.get("/api/history", params={"limit": 200}).json()["batches"]]
    assert sum(lbl.startswith("cli add") for lbl in labels) == n
    assert sum(lbl.startswith("add web tag") for lbl in labels) == n
    names = {t["name"] for t in client.get(f"/api/images/{ids['outfit_b/003.png']}").json()["tags"]}
    assert {f"cli tag {i}" for i in range(n)} <= names


def test_two_tabs_share_one_state(make_client, dataset):
    a, b = make_client(), make_client()
    fid = file_ids(a)["outfit_a/002.png"]
    a.post("/api/edits/apply", json={"edit": {"kind": "add", "tags": ["from tab a"]}, "ids": [fid]})
    assert "from tab a" in {t["name"] for t in b.get(f"/api/images/{fid}").json()["tags"]}
    assert b.post("/api/undo").json()["label"] == "add from tab a"
