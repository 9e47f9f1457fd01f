"""walk_dataset: a name that is not valid UTF-8 is one flagged file, shown escaped; its neighbours are untouched."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

from loraprep.ingest.walk import walk_dataset
from tests.conftest import make_image

pytestmark = pytest.mark.skipif(sys.platform in ("win32", "darwin"), reason="needs a file system that takes any bytes")


def _put(root: Path, raw: bytes, data: bytes) -> None:
    path = os.path.join(os.fsencode(root), raw)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "wb") as handle:
        handle.write(data)


def test_bad_names_are_flagged_and_escaped_and_the_rest_walks_as_before(tmp_path):
    root = tmp_path / "ds"
    image = make_image(root / "c" / "a.png").read_bytes()
    (root / "c" / "a.txt").write_text("red hair")
    _put(root, b"c/zz_\xe9t\xe9.png", image)
    _put(root, b"c/zz_\xe9t\xe9.txt", b"tags")
    _put(root, b"caf\xe9/tier/001.jpg", image)
    make_image(root / "d" / "ok.webp", fmt="WEBP")
    found = {f.path: f for f in walk_dataset(root)}
    assert set(found) == {"c/a.png", "c/zz_\\xe9t\\xe9.png", "caf\\xe9/tier/001.jpg", "d/ok.webp"}
    bad = found["c/zz_\\xe9t\\xe9.png"]
    assert bad.name_error.startswith("file name 'zz_\\xe9t\\xe9.png' is not valid UTF-8")
    assert bad.caption is None and bad.concept == "c" and os.path.exists(bad.abspath)
    in_folder = found["caf\\xe9/tier/001.jpg"]
    assert in_folder.name_error.startswith("folder name 'caf\\xe9'")
    assert (in_folder.concept, in_folder.tier) == ("caf\\xe9", "tier")
    assert found["c/a.png"].name_error is None and found["c/a.png"].caption == "c/a.txt"
    assert all(f.path.encode("utf-8") and f.concept.encode("utf-8") is not None for f in found.values())


def test_special_files_are_found_so_that_scan_can_name_them(tmp_path):
    root = tmp_path / "ds"
    (root / "c").mkdir(parents=True)
    os.mkfifo(root / "c" / "pipe.png")
    (root / "c" / "zero.jpg").symlink_to("/dev/zero")
    assert {f.path for f in walk_dataset(root)} == {"c/pipe.png", "c/zero.jpg"}
