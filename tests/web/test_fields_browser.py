"""In chromium: the image panel shows the caption fields; setting one and renaming a character are journaled and
undone like any edit."""

from __future__ import annotations

import pytest

from tests.web.conftest import TOKEN, build_dataset, workspace_class
from tests.web.live import CHROMIUM, LiveServer, launch_browser

pytestmark = pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Debian's chromium at /usr/bin/chromium")

TAGS = {f"c{i}/{i:02d}.png": [("1girl", "general", 0.9), ("bob" if i % 2 else "eve", "character", 0.95)]
        for i in range(4)}


@pytest.fixture
def page(tmp_path):
    sync_api = pytest.importorskip("playwright.sync_api", reason="pip install playwright")
    root = build_dataset(tmp_path / "fields", TAGS)
    server = LiveServer(root, workspace_class()(root), TOKEN)
    with sync_api.sync_playwright() as p:
        browser = launch_browser(p)
        page = browser.new_context(viewport={"width": 1400, "height": 900}, bypass_csp=True).new_page()
        errors = []
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.on("dialog", lambda d: d.accept("Robert") if d.type == "prompt" else d.accept())
        page.goto(server.url)
        page.wait_for_selector("body[data-ready='1']", timeout=20000)
        yield page
        browser.close()
    server.stop()
    assert not errors, errors


def field(page, name: str):
    return page.locator(f"#fields .field-row[data-field='{name}'] input")


def test_fields_in_the_panel_set_rename_and_undo(page):
    page.locator("#grid .cell").nth(1).click()  # c1/01.png: the tagger says bob
    page.wait_for_selector("#fields .field-row[data-field='character']")
    assert field(page, "character").input_value() == "bob"
    assert page.locator("#fields .field-row[data-field='character'] .src").inner_text() == "tagger"

    field(page, "copyright").fill("my show")
    field(page, "copyright").press("Enter")
    page.wait_for_function("document.querySelector(\"#fields .field-row[data-field='copyright'] .src\")"
                           ".textContent === 'user'")
    assert field(page, "copyright").input_value() == "my show"

    page.click("#fields .field-row[data-field='character'] button[data-act='rename']")  # the prompt answers Robert
    page.wait_for_function("document.querySelector(\"#fields .field-row[data-field='character'] input\")"
                           ".value === 'Robert'")
    page.locator("#grid .cell").nth(3).click()  # c3/03.png was bob too: renamed with it
    page.wait_for_function("document.querySelector('#panel-title').textContent === '03.png'")
    page.wait_for_function("document.querySelector(\"#fields .field-row[data-field='character'] input\")"
                           ".value === 'Robert'")
    page.locator("#grid .cell").nth(0).click()  # c0/00.png is eve: untouched
    page.wait_for_function("document.querySelector('#panel-title').textContent === '00.png'")
    assert field(page, "character").input_value() == "eve"

    page.locator("#grid .cell").nth(3).click()
    page.wait_for_function("document.querySelector('#panel-title').textContent === '03.png'")
    page.click("#undo")
    page.wait_for_function("document.querySelector(\"#fields .field-row[data-field='character'] input\")"
                           ".value === 'bob'")
