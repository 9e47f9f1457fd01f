"""Only regular files are read: FIFOs, devices and links to them are refused at once; sizes are bounded."""

from __future__ import annotations

import os
import stat

import pytest

from loraprep.errors import SourceFileError
from loraprep.regular_file import read_regular
from tests.ingest.bounded import run_bounded

pytestmark = pytest.mark.skipif(not hasattr(os, "mkfifo") or not os.path.exists("/dev/zero"),
                                reason="needs FIFOs and /dev/zero")


def _read_in_child(path, limit: int) -> dict:
    code = (
        "import json\n"
        "from loraprep.errors import SourceFileError\n"
        "from loraprep.regular_file import read_regular\n"
        "try:\n"
        f"    data = read_regular({str(path)!r}, {limit}, what='caption')\n"
        "    print(json.dumps({'size': len(data)}))\n"
        "except SourceFileError as exc:\n"
        "    print(json.dumps({'error': exc.message}))\n")
    return run_bounded(code, timeout=30)


def test_fifo_is_refused_without_blocking(tmp_path):
    fifo = tmp_path / "pipe.txt"
    os.mkfifo(fifo)
    result = _read_in_child(fifo, 1 << 20)
    assert "named pipe" in result["error"] and "regular file" in result["error"]


@pytest.mark.parametrize("name", ["zero.png", "zero caption.txt"])
def test_link_to_dev_zero_is_refused_and_named(tmp_path, name):
    link = tmp_path / name
    link.symlink_to("/dev/zero")
    result = _read_in_child(link, 1 << 30)
    assert "character device" in result["error"] and "/dev/zero" in result["error"]


@pytest.mark.parametrize("size, limit, shown", [(1025, 1024, "1 KiB"), (3 << 20, 1 << 20, "1 MiB"),
                                                (70_001, 70_000, "70,000 bytes")])
def test_over_the_limit_is_an_error_naming_it(tmp_path, size, limit, shown):
    path = tmp_path / "big.txt"
    path.write_bytes(b"a, " * (size // 3) + b"b" * (size % 3))
    with pytest.raises(SourceFileError) as caught:
        read_regular(str(path), limit, what="caption")
    assert caught.value.message.startswith("caption too large") and f"{size:,} bytes" in caught.value.message
    assert f"over the {shown} limit" in caught.value.message


@pytest.mark.parametrize("size", [0, 1, 4096, 1 << 20])
def test_regular_file_up_to_the_limit_is_read_whole(tmp_path, size):
    path = tmp_path / "ok.txt"
    payload = os.urandom(size)
    path.write_bytes(payload)
    assert read_regular(str(path), 1 << 20) == payload


def test_file_swapped_for_a_fifo_after_the_stat_is_caught_by_fstat(tmp_path):
    # The first stat sees a regular file; by the open the name is a FIFO. fstat on the opened descriptor must
    # catch it (O_NONBLOCK lets the open return). Run in a child: a regression blocks forever.
    regular, fifo = tmp_path / "regular.txt", tmp_path / "swapped.txt"
    regular.write_text("a, b")
    os.mkfifo(fifo)
    code = (
        "import json, os\n"
        "from loraprep.errors import SourceFileError\n"
        "from loraprep import regular_file as regular\n"
        "real_stat = os.stat\n"
        f"regular.os.stat = lambda path, *a, **k: real_stat({str(regular)!r})\n"
        "try:\n"
        f"    regular.read_regular({str(fifo)!r}, 1 << 20)\n"
        "    print(json.dumps({'error': None}))\n"
        "except SourceFileError as exc:\n"
        "    print(json.dumps({'error': exc.message}))\n")
    result = run_bounded(code, timeout=30)
    assert result["error"] and "named pipe" in result["error"]


def test_missing_and_unreadable_files_say_unreadable(tmp_path):
    with pytest.raises(SourceFileError, match="^unreadable"):
        read_regular(str(tmp_path / "absent.txt"), 100)
    locked = tmp_path / "locked.txt"
    locked.write_text("x")
    os.chmod(locked, 0)
    try:
        if os.geteuid() != 0:
            with pytest.raises(SourceFileError, match="^unreadable: permission denied"):
                read_regular(str(locked), 100)
    finally:
        os.chmod(locked, stat.S_IRUSR | stat.S_IWUSR)


def test_a_folder_is_not_read(tmp_path):
    with pytest.raises(SourceFileError, match="a folder"):
        read_regular(str(tmp_path), 100)


def test_bounded_runner_reports_a_hang():
    with pytest.raises(AssertionError, match="did not finish"):
        run_bounded("import time; time.sleep(30)", timeout=2)
    assert run_bounded("import json; print(json.dumps([1]))") == [1]


def test_every_later_stage_refuses_a_fifo_instead_of_blocking(tmp_path):
    """A file swapped for a FIFO after the scan: dedup, export, the tagger and thumbnails each fail it alone."""
    from loraprep.regular_file import require_regular

    fifo = tmp_path / "swapped.png"
    os.mkfifo(fifo)
    code = (
        "import json\n"
        "from pathlib import Path\n"
        "from loraprep.dedup.encode import describe_file\n"
        "from loraprep.export.convert import place_file, sniff\n"
        "from loraprep.tagging.preprocess import open_for_model\n"
        "from loraprep.ops.thumbnails import render_thumbnail\n"
        f"p = Path({str(fifo)!r})\n"
        "said = []\n"
        "for step in (lambda: describe_file(p), lambda: sniff(p), lambda: place_file(p, p.with_name('o.png'), 'copy'),\n"
        "             lambda: open_for_model(p, 64), lambda: render_thumbnail(p)):\n"
        "    try:\n"
        "        step()\n"
        "        said.append('read')\n"
        "    except Exception as exc:\n"
        "        said.append(str(exc))\n"
        "print(json.dumps(said))\n"
    )
    said = run_bounded(code, timeout=60)
    assert len(said) == 5 and all("named pipe" in s for s in said), said
    with pytest.raises(SourceFileError, match="named pipe"):
        require_regular(fifo)
