"""Images read from a path or an fsspec URL: same bytes, and a one-line reason when they cannot be read."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from loraprep.errors import SourceFileError
from loraprep.locations import is_url, join, open_binary, read_bytes


@pytest.mark.parametrize("location, expected", [
    ("s3://bucket/set", True), ("gs://b/x.png", True), ("file:///tmp/a b.png", True), ("memory://x", True),
    ("/data/set", False), ("C:\\data\\set", False), ("relative/set", False), ("weird:name.png", False),
])
def test_is_url(location, expected):
    assert is_url(location) is expected


def test_is_url_of_a_path_object_is_false():
    assert not is_url(Path("s3:/not/a/url"))


def test_join_keeps_dataset_paths_under_the_root():
    assert join("s3://bucket/set/", "cat a/1.png") == "s3://bucket/set/cat a/1.png"
    assert join("gs://b", "/x.png") == "gs://b/x.png"
    assert join(Path("/data/set"), "cat/1.png") == str(Path("/data/set/cat/1.png"))


def test_a_url_reads_the_same_bytes_as_the_path(tmp_path):
    path = tmp_path / "dir with space" / "ünï.png"
    path.parent.mkdir()
    path.write_bytes(b"\x89PNG some bytes")
    assert read_bytes("file://" + str(path)) == read_bytes(str(path)) == b"\x89PNG some bytes"
    assert isinstance(open_binary("file://" + str(path)), io.BytesIO)
    assert open_binary(str(path)) == path


def test_memory_urls_are_read_through_fsspec():
    import fsspec

    fs = fsspec.filesystem("memory")
    fs.pipe("/loraprep-test/set/a.png", b"abc")
    try:
        assert read_bytes("memory://loraprep-test/set/a.png") == b"abc"
        with pytest.raises(SourceFileError, match="file not found"):
            read_bytes("memory://loraprep-test/set/missing.png")
        with pytest.raises(SourceFileError, match="larger than 2 bytes"):
            read_bytes("memory://loraprep-test/set/a.png", limit=2)
    finally:
        fs.rm("/loraprep-test", recursive=True)


def test_an_unknown_scheme_is_a_one_line_reason():
    with pytest.raises(SourceFileError, match="cannot read nosuchscheme://x/y.png"):
        read_bytes("nosuchscheme://x/y.png")


def test_a_missing_local_file_says_so(tmp_path):
    with pytest.raises(SourceFileError):
        read_bytes(str(tmp_path / "gone.png"))
