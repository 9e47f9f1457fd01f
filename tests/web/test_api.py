"""Every JSON route of the editor, in process: listing, detail, selection, counts, edits, undo/redo, thresholds."""

from __future__ import annotations

from tests.web.conftest import file_ids


def test_session_lists_dataset_facts(client):
    body = client.get("/api/session").json()
    assert body["ok"] is True and body["images"] == 4
    assert body["concepts"] == ["outfit_a", "outfit_b"]
    assert body["thresholds"]["general"] == 0.35
    assert body["model"] == "demo@1"


def test_gallery_columns_in_path_order(client):
    body = client.get("/api/images").json()
    cols = body["columns"]
    assert body["count"] == 4
    assert cols["path"] == sorted(cols["path"])
    assert cols["concept"] == ["outfit_a", "outfit_a", "outfit_b", "outfit_b"]
    assert all(n > 0 for n in cols["tags"])
    assert all(0 < c <= 1 for c in cols["conf"])


def test_image_detail_has_tags_scores_dropped_and_caption(client):
    fid = file_ids(client)["outfit_a/001.png"]
    body = client.get(f"/api/images/{fid}").json()
    names = [t["name"] for t in body["tags"]]
    assert "red hair" in names and "blurry" not in names  # 0.2 is under the 0.35 threshold
    red = next(t for t in body["tags"] if t["name"] == "red hair")
    assert red["score"] == 0.9 and red["source"] == "tagger"
    assert body["file"]["path"] == "outfit_a/001.png"
    assert body["caption"]
    assert any(s["name"] == "blurry" for s in body["scores"])


def test_select_by_concept_status_and_text(client):
    ids = file_ids(client)
    r = client.post("/api/select", json={"concept": "outfit_b"}).json()
    assert sorted(r["ids"]) == sorted([ids["outfit_b/003.png"], ids["outfit_b/004.png"]])
    r = client.post("/api/select", json={"text": "002"}).json()
    assert r["ids"] == [ids["outfit_a/002.png"]]
    assert client.post("/api/select", json={"status": "excluded"}).json()["ids"] == []


def test_tag_counts_of_a_selection(client):
    ids = file_ids(client)
    r = client.post("/api/tags/counts", json={"ids": [ids["outfit_b/003.png"], ids["outfit_b/004.png"]]}).json()
    counts = {t["tag"]: t["count"] for t in r["tags"]}
    assert counts["armor"] == 2 and counts["blue hair"] == 2 and "red hair" not in counts
    everything = {t["tag"]: t["count"] for t in client.post("/api/tags/counts", json={}).json()["tags"]}
    assert everything["1girl"] == 4
    assert all({"tag", "count", "category", "core"} <= set(t) for t in r["tags"])


def test_vocabulary_ranks_dataset_tags_by_count(client):
    tags = client.get("/api/vocabulary", params={"prefix": "b", "limit": 5}).json()["tags"]
    names = [t["tag"] for t in tags]
    assert names[0] == "blue hair"  # 2 images; 'blurry' passes the threshold on one only
    assert "blurry" in names


def test_add_then_undo_then_redo_a_single_tag(client):
    fid = file_ids(client)["outfit_a/002.png"]
    r = client.post("/api/edits/apply", json={"edit": {"kind": "add", "tags": ["freckles"]}, "ids": [fid]}).json()
    assert r["ok"] and r["changed"] == 1 and r["batch_id"]
    tags = {t["name"]: t for t in client.get(f"/api/images/{fid}").json()["tags"]}
    assert tags["freckles"]["source"] == "user"
    assert client.post("/api/undo").json()["state"] == "undone"
    assert "freckles" not in {t["name"] for t in client.get(f"/api/images/{fid}").json()["tags"]}
    assert client.post("/api/redo").json()["state"] == "done"
    assert "freckles" in {t["name"] for t in client.get(f"/api/images/{fid}").json()["tags"]}
    history = client.get("/api/history").json()["batches"]
    assert history[0]["label"] == "add freckles"


def test_remove_and_pin(client):
    fid = file_ids(client)["outfit_a/001.png"]
    client.post("/api/edits/apply", json={"edit": {"kind": "remove", "tags": ["hat"]}, "ids": [fid]})
    client.post("/api/edits/apply", json={"edit": {"kind": "pin", "tags": ["smile"]}, "ids": [fid]})
    body = client.get(f"/api/images/{fid}").json()
    tags = {t["name"]: t for t in body["tags"]}
    assert "hat" not in tags and tags["smile"]["pinned"] is True
    assert "hat" in body["removed_by_you"]


def test_batch_replace_preview_writes_nothing_then_apply_is_one_batch(client):
    ids = file_ids(client)
    edit = {"kind": "replace", "tags": ["red hair"], "target": "auburn hair"}
    before = len(client.get("/api/history").json()["batches"])
    p = client.post("/api/edits/preview", json={"edit": edit, "filter": {"concept": "outfit_a"}}).json()
    assert p["changed"] == 2 and p["selected"] == 2
    assert {"remove red hair", "add auburn hair"} <= set(p["examples"][0]["ops"])
    assert len(client.get("/api/history").json()["batches"]) == before
    r = client.post("/api/edits/apply", json={"edit": edit, "filter": {"concept": "outfit_a"}}).json()
    assert r["changed"] == 2
    assert len(client.get("/api/history").json()["batches"]) == before + 1
    for path in ("outfit_a/001.png", "outfit_a/002.png"):
        names = {t["name"] for t in client.get(f"/api/images/{ids[path]}").json()["tags"]}
        assert "auburn hair" in names and "red hair" not in names
    client.post("/api/undo")
    names = {t["name"] for t in client.get(f"/api/images/{ids['outfit_a/001.png']}").json()["tags"]}
    assert "red hair" in names and "auburn hair" not in names


def test_move_concept_and_exclude_show_in_the_gallery(client):
    ids = file_ids(client)
    fid = ids["outfit_a/002.png"]
    client.post("/api/edits/apply", json={"edit": {"kind": "concept", "target": "outfit_b"}, "ids": [fid]})
    client.post("/api/edits/apply", json={"edit": {"kind": "exclude"}, "ids": [fid]})
    cols = client.get("/api/images").json()["columns"]
    i = cols["id"].index(fid)
    assert cols["concept"][i] == "outfit_b" and cols["status"][i] == "excluded" and "x" in cols["badges"][i]
    client.post("/api/undo")
    client.post("/api/undo")
    cols = client.get("/api/images").json()["columns"]
    assert cols["concept"][i] == "outfit_a" and cols["status"][i] == "active"


def test_thresholds_change_tags_without_a_rerun(client):
    fid = file_ids(client)["outfit_a/001.png"]
    r = client.post("/api/thresholds", json={"general": 0.15}).json()
    assert r["thresholds"]["general"] == 0.15
    assert "blurry" in {t["name"] for t in client.get(f"/api/images/{fid}").json()["tags"]}
    client.post("/api/thresholds", json={"general": 0.95})
    assert "red hair" not in {t["name"] for t in client.get(f"/api/images/{fid}").json()["tags"]}
    assert client.get("/api/thresholds").json()["thresholds"]["general"] == 0.95


def test_edit_changes_the_version_the_page_polls(client):
    v1 = client.get("/api/version").json()["version"]
    fid = file_ids(client)["outfit_a/002.png"]
    client.post("/api/edits/apply", json={"edit": {"kind": "add", "tags": ["x"]}, "ids": [fid]})
    assert client.get("/api/version").json()["version"] > v1


def test_curation_preview_counts_rule_drops(client):
    fid = file_ids(client)["outfit_a/001.png"]
    body = client.post("/api/curation", json={"ids": [fid]}).json()
    assert body["images"] == 1 and body["tags_before"] >= body["tags_after"]
    assert body["examples"][0]["caption"]


def test_dedup_lists_groups_with_differences(client, dataset):
    from loraprep.store.db import open_store
    from loraprep.store.dedup import StoredGroup, StoredMember, replace_groups

    ids = file_ids(client)
    a, b = ids["outfit_a/001.png"], ids["outfit_a/002.png"]
    with open_store(dataset) as store, store.write() as conn:
        replace_groups(conn, [StoredGroup("g1", a, (StoredMember(a, 0, "keeper", True, "auto"),
                                                    StoredMember(b, 3, "phash 3", False, "auto")))])
    groups = client.get("/api/dedup").json()["groups"]
    assert len(groups) == 1 and groups[0]["keeper"] == a
    other = next(m for m in groups[0]["members"] if m["file_id"] == b)
    assert "hat" in other["missing"] and other["name"] == "002.png"
    cols = client.get("/api/images").json()["columns"]
    assert "d" in cols["badges"][cols["id"].index(b)]


def test_static_page_and_assets(client):
    page = client.get("/")
    assert page.status_code == 200 and "text/html" in page.headers["content-type"]
    assert 'src="app.js"' in page.text
    from loraprep.web.app import STATIC

    for module in STATIC.glob("*.js"):              # every ES module the page imports, with a JavaScript type
        assert client.get("/" + module.name).headers["content-type"].startswith("text/javascript"), module.name
    assert client.get("/../app.py").status_code == 404 and client.get("/app.py").status_code == 404
    assert client.get("/style.css").status_code == 200
    assert "https://" not in page.text  # no CDN


def test_the_edit_kinds_come_from_ops(client):
    from loraprep.ops.edits import FILE_KINDS, TAG_KINDS

    assert client.get("/api/edits/kinds").json() == {"ok": True, "tag_kinds": list(TAG_KINDS),
                                                      "file_kinds": list(FILE_KINDS)}


def test_image_file_and_thumbnail(client, dataset):
    fid = file_ids(client)["outfit_a/001.png"]
    r = client.get(f"/api/images/{fid}/file")
    assert r.status_code == 200 and r.content == (dataset / "outfit_a/001.png").read_bytes()
    assert r.headers["content-type"] == "image/png"
    t = client.get(f"/api/images/{fid}/thumb")
    assert t.status_code == 200 and t.content[:4] == b"RIFF" and t.headers["content-type"] == "image/webp"
    thumbs = list((dataset / ".loraprep" / "thumbnails").glob("*.webp"))
    assert thumbs and all(p.stem for p in thumbs)


def test_an_edit_answers_with_the_rows_it_changed(client):
    fid = file_ids(client)["outfit_a/002.png"]
    before = client.get("/api/images").json()["columns"]
    # not a trait tag: even if it becomes a core tag of the concept, no other image's verdict can change
    r = client.post("/api/edits/apply", json={"edit": {"kind": "add", "tags": ["masterpiece"]}, "ids": [fid]}).json()
    assert r["rows"]["id"] == [fid] and not r["pending"]
    assert set(r["rows"]) == {"id", "tags"}  # only the columns that changed travel
    index = before["id"].index(fid)
    assert r["rows"]["tags"] == [before["tags"][index] + 1]
    after = client.get("/api/images").json()["columns"]
    assert after["tags"][index] == before["tags"][index] + 1


def test_a_large_edit_answers_the_visible_rows_first(client, monkeypatch):
    from loraprep.web import service

    monkeypatch.setattr(service, "PATCH_ALL", 2)
    ids = client.get("/api/images").json()["columns"]["id"]
    visible = ids[:3]
    r = client.post("/api/edits/apply", json={"edit": {"kind": "add", "tags": ["masterpiece"]},
                                              "filter": {}, "visible": visible}).json()
    assert r["pending"] and r["rows"]["id"] == sorted(visible) and r["changed"] == len(ids)
    # the rest is computed when the page asks for the gallery
    gallery = client.get("/api/images").json()["columns"]
    full = client.get(f"/api/images/{ids[-1]}").json()
    assert gallery["tags"][gallery["id"].index(ids[-1])] == len(full["tags"])


def test_an_edit_answers_with_the_open_images_fresh_detail(client):
    ids = file_ids(client)
    fid, other = ids["outfit_a/002.png"], ids["outfit_b/003.png"]
    r = client.post("/api/edits/apply", json={"edit": {"kind": "add", "tags": ["masterpiece"]}, "ids": [fid],
                                              "current": fid}).json()
    assert r["detail"]["file"]["id"] == fid and "masterpiece" in [t["name"] for t in r["detail"]["tags"]]
    assert r["detail"] == {**client.get(f"/api/images/{fid}").json()}
    # an open image the edit did not touch needs no new detail
    r = client.post("/api/edits/apply", json={"edit": {"kind": "add", "tags": ["sketch"]}, "ids": [fid],
                                              "current": other}).json()
    assert "detail" not in r


def test_every_answer_says_the_servers_share_of_its_time(client):
    timing = client.get("/api/session").headers["server-timing"]
    assert timing.startswith("app;dur=") and float(timing.split("=", 1)[1]) >= 0


def test_rows_of_some_files_and_unknown_ids(client):
    ids = file_ids(client)
    wanted = [ids["outfit_b/004.png"], ids["outfit_a/001.png"]]
    r = client.post("/api/rows", json={"ids": wanted}).json()
    gallery = client.get("/api/images").json()["columns"]
    assert r["rows"]["id"] == wanted
    for k, fid in enumerate(wanted):
        i = gallery["id"].index(fid)
        assert {c: r["rows"][c][k] for c in r["rows"]} == {c: gallery[c][i] for c in gallery}
    bad = client.post("/api/rows", json={"ids": [987654]})
    assert bad.status_code == 404 and bad.json()["ok"] is False


def test_undo_of_a_large_edit_answers_the_visible_rows_and_the_open_image(client, monkeypatch):
    from loraprep.web import service

    monkeypatch.setattr(service, "PATCH_ALL", 2)
    ids = client.get("/api/images").json()["columns"]["id"]
    client.post("/api/edits/apply", json={"edit": {"kind": "add", "tags": ["masterpiece"]}, "filter": {}})
    r = client.post("/api/undo", json={"visible": ids[:2], "current": ids[0]}).json()
    assert r["state"] == "undone" and r["pending"] and r["rows"]["id"] == sorted(ids[:2])
    assert "masterpiece" not in [t["name"] for t in r["detail"]["tags"]]
    r = client.post("/api/redo").json()  # no body: every changed row comes back
    assert r["state"] == "done" and not r["pending"] and sorted(r["rows"]["id"]) == sorted(ids)


def test_the_gallery_names_each_files_content_so_a_changed_file_gets_a_new_thumbnail_url(client, dataset):
    from loraprep import ops
    from tests.conftest import make_image

    gallery = client.get("/api/images").json()["columns"]
    at = gallery["path"].index("outfit_a/002.png")
    fid, before = gallery["id"][at], gallery["v"][at]
    assert len(before) == 8 and client.get(f"/api/images/{fid}/thumb?v={before}").status_code == 200
    make_image(dataset / "outfit_a" / "002.png", (96, 96), color=(5, 250, 5))  # new bytes, same path
    ops.scan(dataset, min_size=64)
    gallery = client.get("/api/images").json()["columns"]
    at = gallery["path"].index("outfit_a/002.png")
    assert gallery["id"][at] == fid and gallery["v"][at] != before and len(gallery["v"][at]) == 8


def test_an_edit_with_an_impossible_position_is_refused_in_the_error_shape(client):
    fid = file_ids(client)["outfit_a/001.png"]
    for edit in ({"kind": "add", "tags": ["x"], "position": "back"}, {"kind": "remove", "tags": ["x"], "position": "front"}):
        r = client.post("/api/edits/apply", json={"edit": edit, "ids": [fid]})
        body = r.json()
        assert 400 <= r.status_code < 500 and body["ok"] is False
        assert "position" in body["error"] and "front" in body["hint"]
