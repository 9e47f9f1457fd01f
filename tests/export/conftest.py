"""A small dataset with every awkward case (same stems, WebP/GIF, alpha, unicode, spaces, tiers) as ExportItems."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from loraprep.export import ExportItem, ExportOptions
from tests.conftest import make_image


def write_images(root: Path) -> None:
    make_image(root / "outfit casual" / "001.jpg", (640, 480), quality=90)
    make_image(root / "outfit casual" / "001.png", (480, 640), color=(10, 200, 10))
    make_image(root / "outfit casual" / "002.webp", (512, 512), color=(10, 10, 200), fmt="WEBP")
    make_image(root / "armor (v2)" / "primary" / "A.png", (600, 600), color=(90, 90, 20), mode="RGBA")
    make_image(root / "armor (v2)" / "supporting" / "a.jpg", (700, 500), color=(40, 140, 20), quality=90)
    make_image(root / "ゼータ" / "フレーム.gif", (300, 400), color=(0, 0, 0), fmt="GIF")


def dataset_items(c: Path) -> list[ExportItem]:
    return [
        ExportItem("i1", c / "outfit casual" / "001.jpg", "outfit casual", "", "mychar, casual, smile", 2,
                   "JPEG", "RGB", False, width=640, height=480),
        ExportItem("i2", c / "outfit casual" / "001.png", "outfit casual", "", "mychar, casual\r\nfrom side", 2,
                   "PNG", "RGB", False, width=480, height=640),
        ExportItem("i3", c / "outfit casual" / "002.webp", "outfit casual", "", "\ufeffmychar, casual", 2,
                   "WEBP", "RGB", False, width=512, height=512),
        ExportItem("i4", c / "armor (v2)" / "primary" / "A.png", "armor (v2)", "primary", "mychar, armor", 5,
                   "PNG", "RGBA", True, width=600, height=600),
        ExportItem("i5", c / "armor (v2)" / "supporting" / "a.jpg", "armor (v2)", "supporting", "", 1,
                   "JPEG", "RGB", False, width=700, height=500),
        ExportItem("i6", c / "ゼータ" / "フレーム.gif", "ゼータ", "", "mychar, zeta", 3,
                   "GIF", "P", False, width=300, height=400),
    ]


@pytest.fixture(scope="session")
def source_images(tmp_path_factory) -> Path:
    """The images, encoded once per session; each test gets its own copy."""
    root = tmp_path_factory.mktemp("export-source") / "my lora"
    write_images(root)
    return root


@pytest.fixture
def dataset(tmp_path: Path, source_guard, source_images: Path, monkeypatch):
    """(dataset root, items, options factory); the sources are checked untouched at teardown. Copies are plain
    byte copies here, whatever the file system: the golden reports and method checks say "copy", and a machine
    whose disk can clone (Btrfs, XFS) would otherwise say "reflink" (tests/export/test_clone.py covers that)."""
    from loraprep.export import clone

    monkeypatch.setattr(clone, "_FICLONE", None)
    root = tmp_path / "my lora"
    shutil.copytree(source_images, root)
    items = dataset_items(root)
    source_guard(root)

    def options(out: Path | None = None, **overrides) -> ExportOptions:
        values = dict(out_dir=out or tmp_path / "out", dataset_root=root, trigger_words=("mychar",), epochs=10)
        values.update(overrides)
        return ExportOptions(**values)

    return root, items, options


def files_under(folder: Path) -> dict[str, bytes]:
    """Every file under ``folder`` with its bytes, to show a refused export touched nothing."""
    return {str(p.relative_to(folder)): p.read_bytes() for p in folder.rglob("*") if p.is_file()}


def foreign_project(folder: Path) -> dict[str, bytes]:
    """The issue's reproduction: a code project holding another tool's export.json; returns its files."""
    (folder / "src").mkdir(parents=True)
    (folder / "src" / "main.py").write_text("print(1)\n")
    (folder / "notes.md").write_text("notes\n")
    (folder / "export.json").write_text('{"items": [], "exported_by": "some other tool"}\n')
    return files_under(folder)
