"""The thumbnail worker: urgent thumbnails at once, background ones only while the page is quiet."""

from __future__ import annotations

import time

from PIL import Image

from loraprep.ops.thumbnails import ThumbnailWorker


def test_background_work_waits_while_the_page_is_busy_and_urgent_work_does_not(tmp_path):
    sources = []
    for i in range(3):
        path = tmp_path / f"{i}.png"
        Image.new("RGB", (40, 30), (i * 60, 0, 0)).save(path)
        sources.append((f"id{i}", path))
    worker = ThumbnailWorker(tmp_path / "thumbs")
    worker.hold_off(30)
    worker.prefill(sources[:2])
    worker.start()
    try:
        assert worker.get("id2", sources[2][1], timeout=10) is not None   # urgent: made at once
        time.sleep(0.3)
        assert not worker.path_for("id0").exists() and not worker.path_for("id1").exists()
        worker.hold_off(0)
        deadline = time.monotonic() + 10
        while not worker.path_for("id1").exists() and time.monotonic() < deadline:
            time.sleep(0.05)
        assert worker.path_for("id0").exists() and worker.path_for("id1").exists()
    finally:
        worker.stop()
