"""End to end in Debian's chromium: gallery, filter, autocomplete edit, batch replace with diff, undo, reload, dedup."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from tests.web.conftest import TOKEN, build_dataset, workspace_class
from tests.web.live import CHROMIUM, LiveServer, launch_browser

pytestmark = pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Debian's chromium at /usr/bin/chromium "
                                "(apt-get install chromium)")

COLORS = ["red hair", "blue hair", "green hair"]


def e2e_tags() -> dict:
    tags = {}
    for i in range(12):
        concept = "outfit_armor" if i % 3 == 0 else "outfit_casual"
        tags[f"{concept}/{i:03d}.png"] = [
            ("1girl", "general", 0.99), (COLORS[i % 3], "general", 0.9 - i / 100), ("smile", "general", 0.4 + i / 40),
            ("looking at viewer", "general", 0.7), ("armor" if concept == "outfit_armor" else "dress", "general", 0.8),
            ("watermark", "meta", 0.6 if i % 4 == 0 else 0.1), ("alice", "character", 0.92)]
    return tags


@pytest.fixture(scope="module")
def playwright_api():
    sync_api = pytest.importorskip("playwright.sync_api", reason="pip install playwright")
    with sync_api.sync_playwright() as p:
        yield p


@pytest.fixture
def live(tmp_path):
    from loraprep.store.db import open_store
    from loraprep.store.dedup import StoredGroup, StoredMember, replace_groups
    from loraprep.store.files import list_files

    root = build_dataset(tmp_path / "e2e", e2e_tags())
    with open_store(root) as store:
        ids = {f.path: f.id for f in list_files(store)}
        with store.write() as conn:
            a, b = ids["outfit_casual/001.png"], ids["outfit_casual/002.png"]
            replace_groups(conn, [StoredGroup("g1", a, (StoredMember(a, 0, "keeper: largest", True, "auto"),
                                                        StoredMember(b, 4, "phash distance 4", False, "auto")))])
    server = LiveServer(root, workspace_class()(root), TOKEN)
    yield server
    server.stop()


@pytest.fixture
def page(playwright_api, live):
    browser = launch_browser(playwright_api)
    context = browser.new_context(viewport={"width": 1400, "height": 900}, bypass_csp=True)
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(live.url)
    page.wait_for_selector("body[data-ready='1']", timeout=20000)
    yield page
    browser.close()
    assert not errors, errors


def shots_dir(tmp_path) -> Path:
    folder = Path(os.environ.get("LORAPREP_SCREENSHOTS") or tmp_path)
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def cells(page):
    return page.locator("#grid .cell:visible")


def test_gallery_filter_edit_batch_undo_reload_and_dedup(page, live, tmp_path):
    shots = shots_dir(tmp_path)
    # The gallery: every image, the token gone from the address bar, thumbnails loaded.
    assert "token=" not in page.url
    assert cells(page).count() == 12
    page.wait_for_function("[...document.querySelectorAll('#grid img')].filter(i => i.complete && i.naturalWidth > 0).length >= 12")
    assert page.locator("#counts").inner_text().startswith("12 images")
    page.wait_for_selector("#tag-list li:nth-child(4)")
    page.screenshot(path=str(shots / "gallery.png"))

    # Filter by concept, then by file name.
    page.select_option("#concept", "outfit_armor")
    page.wait_for_function("document.querySelectorAll('#grid .cell:not([style*=\"display: none\"])').length === 4")
    page.fill("#text", "009")
    page.wait_for_function("document.querySelectorAll('#grid .cell:not([style*=\"display: none\"])').length === 1")
    page.fill("#text", "")
    page.select_option("#concept", "")
    page.wait_for_function("document.querySelectorAll('#grid .cell:not([style*=\"display: none\"])').length === 12")

    # Open an image with the keyboard, add a tag through autocomplete.
    page.locator("#grid").focus()
    page.keyboard.press("ArrowRight")
    page.keyboard.press("Enter")
    page.wait_for_selector("#panel:not([hidden]) .chip")
    assert page.locator("#panel-title").inner_text() == "003.png"  # armor/000, armor/003, ... in path order
    page.fill("#add-tag", "gre")
    page.wait_for_selector("#suggest:not([hidden]) li")
    assert "green hair" in page.locator("#suggest li").first.inner_text()
    page.keyboard.press("Enter")
    page.wait_for_selector("#chips .chip[data-tag='green hair'] .src-user")
    assert "green hair" in page.locator("#caption").input_value()
    page.screenshot(path=str(shots / "image-panel.png"))

    # Remove a tag with its chip button.
    page.click("#chips .chip[data-tag='looking at viewer'] button[data-act='remove']")
    page.wait_for_selector("#chips .chip[data-tag='looking at viewer']", state="detached")

    # Batch replace over everything, with the dry-run diff first.
    page.keyboard.press("Escape")
    page.select_option("#batch-kind", "replace")
    page.fill("#batch-tags", "red hair")
    page.fill("#batch-target", "auburn hair")
    page.click("#batch-preview")
    page.wait_for_selector("#batch-diff:not([hidden])")
    diff = page.locator("#batch-diff").inner_text()
    assert "4 of 12 image(s) would change" in diff and "add auburn hair" in diff
    page.screenshot(path=str(shots / "batch-diff.png"))
    page.click("#batch-apply")
    page.wait_for_selector("#tag-list li[data-tag='auburn hair']")
    assert page.locator("#tag-list li[data-tag='red hair']").count() == 0

    # Undo with Ctrl+Z: red hair is back.
    page.locator("#grid").focus()
    page.keyboard.press("Control+z")
    page.wait_for_selector("#tag-list li[data-tag='red hair']")
    assert page.locator("#tag-list li[data-tag='auburn hair']").count() == 0
    page.click("#open-history")
    page.wait_for_selector("#history-list li.undone")
    page.screenshot(path=str(shots / "history.png"))
    page.keyboard.press("Escape")

    # Reload: the state is kept (the journal is on disk).
    page.reload()
    page.wait_for_selector("body[data-ready='1']")
    page.locator(".cell[data-id]").nth(1).click()
    page.wait_for_selector("#chips .chip[data-tag='green hair']")
    assert page.locator("#chips .chip[data-tag='looking at viewer']").count() == 0

    # Duplicates side by side.
    page.click("#open-dedup")
    page.wait_for_selector("#dedup-list .member")
    assert page.locator("#dedup-list .member").count() == 2
    assert page.locator("#dedup-list .member.keeper").count() == 1
    page.wait_for_function("[...document.querySelectorAll('#dedup-list img')].every(i => i.complete && i.naturalWidth > 0)")
    page.screenshot(path=str(shots / "duplicates.png"))
    if page.locator("[data-keep]").count():
        page.click("[data-keep]")
        page.wait_for_selector("#toast:has-text('keeper changed')")
    page.keyboard.press("Escape")


def test_thresholds_and_curation_dialogs(page, tmp_path):
    shots = shots_dir(tmp_path)
    page.click("#open-thresholds")
    page.wait_for_selector("#dlg-thresholds[open]")
    before = page.evaluate("LP.S.rows.tags.reduce((a, b) => a + b, 0)")
    page.evaluate("""() => { const s = document.querySelector('#th-general'); s.value = '0.95';
                     s.dispatchEvent(new Event('input')); }""")
    page.wait_for_function(f"LP.S.rows.tags.reduce((a, b) => a + b, 0) < {before}")
    page.screenshot(path=str(shots / "thresholds.png"))
    page.keyboard.press("Escape")
    page.click("#open-curation")
    page.wait_for_selector("#curation-body p")
    assert "tags each before" in page.locator("#curation-body").inner_text()
    page.screenshot(path=str(shots / "curation.png"))


def test_selection_with_keyboard_and_filter_errors_are_shown(page):
    page.locator("#grid").focus()
    page.keyboard.press("Space")
    page.keyboard.press("ArrowRight")
    page.keyboard.press("Space")
    assert "2 selected" in page.locator("#counts").inner_text()
    assert page.locator("#target-info").inner_text() == "on 2 selected"
    page.keyboard.press("Escape")
    assert "0 selected" in page.locator("#counts").inner_text()
    page.fill("#where", '"red hair" AND (')
    page.keyboard.press("Enter")
    page.wait_for_selector("#filter-error:not([hidden])")


def test_filters_in_the_page_match_the_server_and_a_large_edit_fills_in(page, monkeypatch):
    import json

    from loraprep.web import service

    for q in ({"concept": "outfit_armor"}, {"text": "00"}, {"status": "active", "text": "1"},
              {"concept": "outfit_casual", "text": "01"}):
        query = json.dumps({"where": None, "concept": None, "status": None, "text": None, **q})
        local = page.evaluate(f"LP.localFilter({query})")
        server = page.evaluate(f"LP.api('POST', 'api/select', {query}).then((r) => r.ids)")
        assert sorted(local) == sorted(server) and local

    # An edit over more images than the server answers at once: the rows on screen come back with the answer,
    # the others and the sidebar's counts once the page has been quiet for a moment.
    monkeypatch.setattr(service, "PATCH_ALL", 2)
    before = page.evaluate("LP.S.rows.tags.reduce((a, b) => a + b, 0)")
    res = page.evaluate("LP.edit({kind: 'add', tags: ['masterpiece']}, {filter: {}}, true)")
    assert res["pending"] and res["changed"] == 12 and 0 < len(res["rows"]["id"]) <= 12
    page.wait_for_function(f"LP.S.rows.tags.reduce((a, b) => a + b, 0) === {before + 12}")
    page.wait_for_selector("#tag-list li[data-tag='masterpiece']")
    counts = page.locator("#tag-list li[data-tag='masterpiece'] .n").inner_text()
    assert counts == "12"


def test_rows_scrolled_to_after_a_large_edit_are_fetched_as_they_appear(playwright_api, live, monkeypatch):
    from loraprep.web import service

    browser = launch_browser(playwright_api)
    try:
        # a short window: most of the 12 images are off screen
        page = browser.new_context(viewport={"width": 420, "height": 420}, bypass_csp=True).new_page()
        page.goto(live.url)
        page.wait_for_selector("body[data-ready='1']", timeout=20000)
        page.evaluate("window.fillLater = () => {}")  # no whole-gallery refresh: only scrolling may update rows
        monkeypatch.setattr(service, "PATCH_ALL", 1)
        last = page.evaluate("LP.S.rows.id[LP.S.view[LP.S.view.length - 1]]")
        before = page.evaluate(f"LP.S.rows.tags[LP.S.byId.get({last})]")
        res = page.evaluate("LP.edit({kind: 'add', tags: ['masterpiece']}, {filter: {}}, true)")
        assert res["pending"] and last not in res["rows"]["id"]
        assert page.evaluate(f"LP.S.rows.tags[LP.S.byId.get({last})]") == before
        page.evaluate("document.querySelector('#grid').scrollTop = 1e6")
        page.wait_for_function(f"LP.S.rows.tags[LP.S.byId.get({last})] === {before + 1}", timeout=10000)
    finally:
        browser.close()


def test_a_dropped_counts_refresh_never_leaves_its_caller_waiting(page):
    # an edit drops a counts refresh still waiting; whoever awaited it goes on (it used to wait forever)
    within = "(p) => Promise.race([p.then(() => 'settled'), new Promise((r) => setTimeout(() => r('stuck'), 5000))])"
    assert page.evaluate(f"(async () => {{ const p = loadCounts(); cancelCounts(); return ({within})(p); }})()") \
        == "settled"
    assert page.evaluate(f"(async () => {{ const a = loadCounts(), b = loadCounts();"
                         f" return [await ({within})(a), await ({within})(b)]; }})()") == ["settled", "settled"]


def test_select_all_travels_as_the_filter_and_counts_never_send_the_whole_view(page):
    sent = []
    page.on("request", lambda r: sent.append((r.url, r.post_data)) if r.method == "POST" else None)
    page.select_option("#concept", "outfit_casual")
    page.wait_for_function("document.querySelectorAll('#grid .cell:not([style*=\"display: none\"])').length === 8")
    page.wait_for_timeout(300)
    sent.clear()  # from here on: the selection's requests
    page.locator("#grid").focus()
    page.keyboard.press("Control+a")
    assert "8 selected" in page.locator("#counts").inner_text()
    assert page.evaluate("LP.targets()") == {"filter": {"where": None, "concept": "outfit_casual", "status": None,
                                                        "text": None}}
    page.select_option("#batch-kind", "add")
    page.fill("#batch-tags", "casual tag")
    page.click("#batch-preview")
    page.wait_for_selector("#batch-diff:not([hidden])")
    page.wait_for_timeout(300)  # the sidebar's counts of the selection (debounced) went out
    page.click("#batch-apply")
    page.wait_for_selector("#tag-list li[data-tag='casual tag']")
    assert page.locator("#tag-list li[data-tag='casual tag'] .n").inner_text() == "8"
    upto_apply = [json.loads(body) for url, body in sent if body and ("/api/edits/" in url or "/api/tags/counts" in url)]
    upto_apply = upto_apply[:next(i for i, p in enumerate(upto_apply) if "edit" in p and "visible" in p) + 1]
    assert any("/api/tags/counts" in url for url, _ in sent)
    assert all(p.get("ids") is None and p["filter"]["concept"] == "outfit_casual" for p in upto_apply), upto_apply
    # After a write the filter may select other images: the same selection then travels as its ids.
    assert sorted(page.evaluate("LP.targets()")["ids"]) == sorted(page.evaluate("[...LP.S.selected]"))
    # A selection changed by hand is its ids.
    page.keyboard.press("Escape")
    page.keyboard.press("Control+a")
    page.keyboard.press("Space")
    assert "ids" in page.evaluate("LP.targets()")


def test_undo_of_a_cli_batch_says_whose_it_is_first(page, live):
    from loraprep.ops.edits import EditOp
    from loraprep.ops.workspace import Workspace

    with Workspace(live.editor.root) as ws:  # a CLI command's batch: another connection, writer "cli"
        ws.apply_edit(EditOp("add", ("cli tag",)), sorted(ws.entries))
    page.wait_for_selector("#tag-list li[data-tag='cli tag']", timeout=10000)  # the page's poll picked it up
    page.click("#open-history")
    page.wait_for_selector("#history-list li:has-text('written by a loraprep command')")
    page.keyboard.press("Escape")
    page.wait_for_function("document.querySelector('#undo').title.includes('add cli tag')")
    assert "loraprep command" in page.locator("#undo").get_attribute("title")
    assert page.locator("#undo").get_attribute("data-via") == "cli"
    asked = []

    def answer(dialog, accept):
        asked.append(dialog.message)
        dialog.accept() if accept else dialog.dismiss()

    page.once("dialog", lambda d: answer(d, False))
    page.click("#undo")
    page.wait_for_function("true")
    page.wait_for_timeout(500)
    assert asked and "add cli tag" in asked[0] and "loraprep command" in asked[0]
    assert page.locator("#tag-list li[data-tag='cli tag']").count() == 1  # declined: nothing undone
    page.once("dialog", lambda d: answer(d, True))
    page.click("#undo")
    page.wait_for_selector("#tag-list li[data-tag='cli tag']", state="detached")
    # The editor's own batch is undone without a question.
    page.evaluate("LP.edit({kind: 'add', tags: ['web tag']}, {filter: {}}, true)")
    page.wait_for_selector("#tag-list li[data-tag='web tag']")
    page.click("#undo")
    page.wait_for_selector("#tag-list li[data-tag='web tag']", state="detached")
    assert len(asked) == 2
