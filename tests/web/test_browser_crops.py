"""The crop boxes in Debian's chromium: accept a detected box, drag the crop, delete it, draw one, undo."""

from __future__ import annotations

import random

import pytest

from tests.detect.conftest import TINY_DETECTOR, draw, figures
from tests.web.conftest import TOKEN, workspace_class
from tests.web.live import CHROMIUM, LiveServer, launch_browser

pytestmark = pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Debian's chromium at /usr/bin/chromium")


@pytest.fixture
def live(tmp_path):
    from loraprep import ops

    root = tmp_path / "crops"
    draw(root / "team" / "a_pair.png", figures.random_figures(random.Random(31), 1200, 800, 2, radius=(0.18, 0.2)))
    draw(root / "team" / "b_solo.png", figures.random_figures(random.Random(32), 900, 900, 1))
    ops.scan(root, min_size=64)
    ops.detect(root, model=str(TINY_DETECTOR), device="cpu")
    server = LiveServer(root, workspace_class()(root), TOKEN)
    yield server
    server.stop()


def _active_crops(root):
    from loraprep.store.db import open_store

    with open_store(root) as store:
        return sorted((r["x0"], r["y0"], r["x1"], r["y1"], r["what"]) for r in store.query(
            "SELECT d.* FROM derived d JOIN files f ON f.image_id = d.id WHERE f.status = 'active'"))


def test_crop_boxes_accept_drag_delete_draw_and_undo(playwright_api, live):
    root = live.editor.root
    browser = launch_browser(playwright_api)
    try:
        page = browser.new_context(viewport={"width": 1400, "height": 900}, bypass_csp=True).new_page()
        errors = []
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.goto(live.url)
        page.wait_for_selector("body[data-ready='1']", timeout=20000)
        page.locator("#grid").focus()
        page.keyboard.press("Enter")
        page.wait_for_selector("#panel:not([hidden])")
        assert page.locator("#panel-title").inner_text() == "a_pair.png"
        page.wait_for_function("document.querySelectorAll('#box-layer .box.det').length === 2")

        # Accept a detected box: a crop of the picture, drawn where the box was.
        page.locator("#box-layer .box.det").first.click()
        page.wait_for_function("document.querySelectorAll('#box-layer .box.crop').length === 1")
        [(x0, y0, x1, y1, what)] = _active_crops(root)
        assert what == "person"

        # Drag it: the old crop goes, one at the moved place comes (one batch).
        crop = page.locator("#box-layer .box.crop")
        scale = page.evaluate("document.querySelector('#panel-image').clientWidth") / 1200
        at = crop.bounding_box()
        dx = 15 if x0 + x1 < 1200 else -15          # towards the middle: the moved crop stays inside the picture
        dy = 10 if y0 + y1 < 800 else -10
        page.mouse.move(at["x"] + at["width"] / 2, at["y"] + at["height"] / 2)
        page.mouse.down()
        page.mouse.move(at["x"] + at["width"] / 2 + dx, at["y"] + at["height"] / 2 + dy, steps=5)
        page.mouse.up()
        page.wait_for_function("document.querySelector('#toast').textContent.startsWith('crop move')")
        page.wait_for_function("document.querySelectorAll('#box-layer .box.crop').length === 1")
        [(m0, n0, m1, n1, _)] = _active_crops(root)
        assert abs((m0 - x0) * scale - dx) <= 2 and abs((n0 - y0) * scale - dy) <= 2 and m1 - m0 == x1 - x0

        # Delete it with its button, draw a new one, and undo the drawing.
        page.locator("#box-layer .box.crop button[data-act='delete']").click()
        page.wait_for_function("document.querySelector('#toast').textContent.startsWith('crop delete')")
        page.wait_for_function("document.querySelectorAll('#box-layer .box.crop').length === 0")
        assert _active_crops(root) == []
        page.click("#box-draw")
        layer = page.locator("#box-layer").bounding_box()
        page.mouse.move(layer["x"] + 20, layer["y"] + 20)
        page.mouse.down()
        page.mouse.move(layer["x"] + 120, layer["y"] + 140, steps=5)
        page.mouse.up()
        page.wait_for_function("document.querySelector('#toast').textContent.startsWith('crop add')")
        page.wait_for_function("document.querySelectorAll('#box-layer .box.crop').length === 1")
        [(d0, e0, d1, e1, drawn)] = _active_crops(root)
        assert drawn == "user" and abs((d1 - d0) * scale - 100) <= 2 and abs((e1 - e0) * scale - 120) <= 2
        page.click("#undo")
        page.wait_for_function("document.querySelectorAll('#box-layer .box.crop').length === 0")
        assert _active_crops(root) == []
        assert not errors, errors
    finally:
        browser.close()


@pytest.fixture(scope="module")
def playwright_api():
    sync_api = pytest.importorskip("playwright.sync_api", reason="pip install playwright")
    with sync_api.sync_playwright() as p:
        yield p
